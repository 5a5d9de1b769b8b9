"""Observability as code: the Grafana dashboards and the Kubernetes PrometheusRule, written by `make schemas`.

``python -m mentornet_devkit.monitoring deploy/k8s/monitoring`` writes ``dashboards/<uid>.json`` (the
consortium at a glance, and one per service) and ``prometheus-rule.yaml`` (the groups of
``deploy/docker/prometheus-rules.yml``, the rules compose's Prometheus loads, as a monitoring.coreos.com/v1
PrometheusRule). compose's Grafana provisions the same JSON files, and the prod overlay ships them as
ConfigMaps labelled for Grafana's dashboard sidecar. tests/contract/test_monitoring.py fails while the
committed files differ from what this writes, and when a query names a metric no service exports.

The queries rely on the target labels every scrape configuration here sets: ``job`` (``mentornet-api`` or
``mentornet-worker``) and ``mentornet_service`` (identity, profiles, ...).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SERVICES = ("identity", "profiles", "matching", "sessions", "feedback", "streams")
ROOT = Path(__file__).resolve().parents[4]
RULES = ROOT / "deploy/docker/prometheus-rules.yml"
RATE = "$__rate_interval"
# The mentoring funnel, read from the events that mark each step (published once per step).
FUNNEL = (
    ("asks", "mentornet.ask-created.v1"),
    ("mentors proposed", "mentornet.match-proposed.v1"),
    ("sessions scheduled", "mentornet.session-scheduled.v1"),
    ("sessions held", "mentornet.session-completed.v1"),
    ("feedback given", "mentornet.feedback-submitted.v1"),
)


@dataclass
class Panel:
    """One Grafana panel: its title, what it shows, and its queries as (PromQL, legend)."""

    title: str
    description: str
    queries: list[tuple[str, str]]
    unit: str = "short"
    kind: str = "timeseries"
    width: int = 12
    instant: bool = False
    options: dict[str, Any] = field(default_factory=dict)


def quantiles(metric: str, by: str, selector: str = "") -> list[tuple[str, str]]:
    """p50, p95 and p99 of a histogram, by a label."""
    return [
        (
            f"histogram_quantile({q}, sum by ({by}, le) (rate({metric}_bucket{selector}[{RATE}])))",
            f"{{{{{by}}}}} p{round(q * 100)}",
        )
        for q in (0.5, 0.95, 0.99)
    ]


def overview() -> list[tuple[str, list[Panel]]]:
    """The consortium at a glance: every service side by side."""
    http = "mentornet_http_request_duration_seconds"
    return [
        (
            "Requests",
            [
                Panel(
                    "Requests by service",
                    "Requests per second each service's API answered.",
                    [(f"sum by (service) (rate({http}_count[{RATE}]))", "{{service}}")],
                    unit="reqps",
                ),
                Panel(
                    "Latency by service",
                    "p50, p95 and p99 of the time an API took to answer. The SLO: 99% within 500 ms.",
                    quantiles(http, "service", '{route!="/v1/events"}'),
                    unit="s",
                ),
                Panel(
                    "Errors by service (5xx ratio)",
                    "Share of each service's answers that were 5xx; MentornetHighErrorRatio fires above 5%.",
                    [
                        (
                            f'sum by (service) (rate({http}_count{{status=~"5.."}}[{RATE}]))'
                            f" / sum by (service) (rate({http}_count[{RATE}]))",
                            "{{service}}",
                        )
                    ],
                    unit="percentunit",
                ),
                Panel(
                    "Latency error budget burn",
                    "Share of requests slower than 500 ms over the last hour, by service (recorded by the "
                    "rules); 0.01 is the SLO's budget spent exactly on time.",
                    [("mentornet:http_slow_ratio:rate1h", "{{service}}")],
                    unit="percentunit",
                ),
            ],
        ),
        (
            "Events",
            [
                Panel(
                    "Events published",
                    "Events the outbox relays handed to the broker, per second, by type.",
                    [(f"sum by (type) (rate(mentornet_events_published_total[{RATE}]))", "{{type}}")],
                    unit="ops",
                ),
                Panel(
                    "Events consumed",
                    "Events each consumer group finished with, per second, by outcome.",
                    [
                        (
                            f"sum by (group, outcome) (rate(mentornet_events_consumed_total[{RATE}]))",
                            "{{group}} {{outcome}}",
                        )
                    ],
                    unit="ops",
                ),
                Panel(
                    "Consumer lag",
                    "Records each group has still to handle, by topic.",
                    [("sum by (group, topic) (mentornet_consumer_lag)", "{{group}} {{topic}}")],
                ),
                Panel(
                    "Outbox backlog",
                    "Events written but not yet published, by service, and how long the oldest has waited.",
                    [
                        ("sum by (service) (mentornet_outbox_backlog)", "{{service}} rows"),
                        ("max by (service) (mentornet_outbox_oldest_age_seconds)", "{{service}} oldest (s)"),
                    ],
                ),
                Panel(
                    "Dead letters",
                    "Events sent to a dead-letter topic in the last 15 minutes, and the redrive's decisions.",
                    [
                        (
                            "sum by (group, topic) (increase(mentornet_dead_letters_total[15m]))",
                            "{{group}} {{topic}}",
                        ),
                        (
                            "sum by (group, decision) (increase(mentornet_dead_letters_redriven_total[15m]))",
                            "{{group}} {{decision}}",
                        ),
                    ],
                ),
                Panel(
                    "Where an event's time goes (p99)",
                    "Outbox row to broker acknowledgement, by service; record to its group starting on it, "
                    "by group.",
                    [
                        (
                            "histogram_quantile(0.99, sum by (service, le) "
                            f"(rate(mentornet_outbox_publish_delay_seconds_bucket[{RATE}])))",
                            "{{service}} outbox",
                        ),
                        (
                            "histogram_quantile(0.99, sum by (group, le) "
                            f"(rate(mentornet_event_wait_seconds_bucket[{RATE}])))",
                            "{{group}} wait",
                        ),
                    ],
                    unit="s",
                ),
            ],
        ),
        (
            "Mentoring",
            [
                Panel(
                    "Asks to proposals to sessions to feedback",
                    "How many of each step of the flow happened in the dashboard's time range (from the "
                    "events that mark them).",
                    [
                        (
                            f'sum(increase(mentornet_events_published_total{{type="{ce_type}"}}[$__range]))',
                            step,
                        )
                        for step, ce_type in FUNNEL
                    ],
                    kind="bargauge",
                    width=24,
                    instant=True,
                    options={"orientation": "horizontal", "displayMode": "basic"},
                ),
            ],
        ),
        ("Health", health(None)),
    ]


def health(service: str | None) -> list[Panel]:
    """Targets, the broker, blocked partitions, and what expires."""
    target = f'{{mentornet_service="{service}"}}' if service else '{job=~"mentornet-(api|worker)"}'
    own = f'{{service="{service}"}}' if service else ""
    group = f'{{group="{service}"}}' if service else ""
    panels = [
        Panel(
            "Processes up",
            "APIs and workers Prometheus reaches, by role.",
            [(f"sum by (job) (up{target})", "{{job}}")],
        ),
        Panel(
            "Broker reachable",
            "1 while every process of the service reaches the broker (an API checks on /readyz, a worker "
            "every 15 s).",
            [(f"min by (service) (mentornet_broker_up{own})", "{{service}}")],
        ),
        Panel(
            "Blocked partitions",
            "Partitions waiting for a store or the broker to come back.",
            [(f"sum by (group) (mentornet_consumer_blocked{group})", "{{group}}")],
        ),
        Panel(
            "Kafka certificates: days left",
            "Days until each certificate a process reads expires; MentornetCertificateExpiring fires "
            "under 14.",
            [
                (
                    f"(min by (service, certificate) (mentornet_certificate_expiry_timestamp_seconds{own})"
                    " - time()) / 86400",
                    "{{service}} {{certificate}}",
                )
            ],
            unit="d",
        ),
    ]
    if service in (None, "identity"):
        panels.append(
            Panel(
                "Signing key age",
                "Days since identity's active signing key was made; rotate before 90.",
                [("(time() - max(mentornet_signing_key_created_timestamp_seconds)) / 86400", "age")],
                unit="d",
            )
        )
    return panels


def per_service(service: str) -> list[tuple[str, list[Panel]]]:
    """One service: its API, its events, its worker, its processes."""
    http = "mentornet_http_request_duration_seconds"
    own = f'service="{service}"'
    group = f'group="{service}"'
    target = f'mentornet_service="{service}"'
    return [
        (
            "API",
            [
                Panel(
                    "Requests by route",
                    "Requests per second, by route template.",
                    [(f"sum by (route) (rate({http}_count{{{own}}}[{RATE}]))", "{{route}}")],
                    unit="reqps",
                ),
                Panel(
                    "Latency",
                    "p50, p95 and p99 of the time the API took to answer, by route.",
                    quantiles(http, "route", f"{{{own}}}"),
                    unit="s",
                ),
                Panel(
                    "Errors by route",
                    "4xx and 5xx answers per second, by route and status.",
                    [
                        (
                            f'sum by (route, status) (rate({http}_count{{{own}, status=~"[45].."}}[{RATE}]))',
                            "{{route}} {{status}}",
                        )
                    ],
                    unit="reqps",
                ),
                Panel(
                    "Rate limits counted in memory",
                    "Operations counted in a process's memory because Redis failed.",
                    [
                        (
                            f"sum by (limiter) (rate(mentornet_rate_limit_fallbacks_total{{{own}}}[{RATE}]))",
                            "{{limiter}}",
                        )
                    ],
                    unit="ops",
                ),
            ],
        ),
        (
            "Events",
            [
                Panel(
                    "Events published",
                    "Events this service's relays handed to the broker, per second, by type.",
                    [
                        (
                            f"sum by (type) (rate(mentornet_events_published_total{{{target}}}[{RATE}]))",
                            "{{type}}",
                        )
                    ],
                    unit="ops",
                ),
                Panel(
                    "Events consumed",
                    "Events its consumer group finished with, per second, by type and outcome.",
                    [
                        (
                            "sum by (type, outcome) "
                            f"(rate(mentornet_events_consumed_total{{{group}}}[{RATE}]))",
                            "{{type}} {{outcome}}",
                        )
                    ],
                    unit="ops",
                ),
                Panel(
                    "Consumer lag",
                    "Records still to handle, by topic and partition.",
                    [
                        (
                            f"sum by (topic, partition) (mentornet_consumer_lag{{{group}}})",
                            "{{topic}}:{{partition}}",
                        )
                    ],
                ),
                Panel(
                    "Outbox",
                    "Rows not yet published and the oldest one's age, for the ten stores holding most.",
                    [
                        (f"topk(10, mentornet_outbox_backlog{{{own}}})", "{{tenant}} rows"),
                        (f"topk(10, mentornet_outbox_oldest_age_seconds{{{own}}})", "{{tenant}} oldest (s)"),
                    ],
                ),
                Panel(
                    "Dead letters and retries",
                    "Dead-lettered events in the last 15 minutes, redrive decisions, and handler retries "
                    "per second by reason.",
                    [
                        (
                            f"sum by (topic) (increase(mentornet_dead_letters_total{{{group}}}[15m]))",
                            "dead-lettered {{topic}}",
                        ),
                        (
                            "sum by (decision) (increase(mentornet_dead_letters_redriven_total"
                            f"{{{group}}}[15m]))",
                            "redrive {{decision}}",
                        ),
                        (
                            f"sum by (reason) (rate(mentornet_consumer_retries_total{{{group}}}[{RATE}]))",
                            "retry {{reason}}",
                        ),
                    ],
                ),
                Panel(
                    "Where an event's time goes (p99)",
                    "Outbox row to broker acknowledgement; record to this group starting on it, by topic; "
                    "handling one fetched batch.",
                    [
                        (
                            "histogram_quantile(0.99, sum by (le) "
                            f"(rate(mentornet_outbox_publish_delay_seconds_bucket{{{own}}}[{RATE}])))",
                            "outbox",
                        ),
                        (
                            "histogram_quantile(0.99, sum by (topic, le) "
                            f"(rate(mentornet_event_wait_seconds_bucket{{{group}}}[{RATE}])))",
                            "wait {{topic}}",
                        ),
                        (
                            "histogram_quantile(0.99, sum by (le) "
                            f"(rate(mentornet_event_batch_seconds_bucket{{{group}}}[{RATE}])))",
                            "batch",
                        ),
                    ],
                    unit="s",
                ),
            ],
        ),
        (
            "Worker",
            [
                Panel(
                    "Durable timers fired",
                    "Timers that came due and acted, per second.",
                    [(f"sum by (timer) (rate(mentornet_timers_fired_total{{{own}}}[{RATE}]))", "{{timer}}")],
                    unit="ops",
                ),
                Panel(
                    "Background failures",
                    "Failed rounds of the outbox relay and the timers, by what failed.",
                    [
                        (
                            "sum by (component, reason) "
                            f"(rate(mentornet_background_failures_total{{{target}}}[{RATE}]))",
                            "{{component}} {{reason}}",
                        ),
                        (
                            f"sum(rate(mentornet_sqlite_lock_waits_total{{{target}}}[{RATE}]))",
                            "SQLite lock waits",
                        ),
                    ],
                    unit="ops",
                ),
            ],
        ),
        (
            "Processes",
            [
                Panel(
                    "CPU",
                    "CPU seconds per second of each API and worker process.",
                    [(f"rate(process_cpu_seconds_total{{{target}}}[{RATE}])", "{{job}} {{instance}}")],
                ),
                Panel(
                    "Memory",
                    "Resident memory of each process.",
                    [(f"process_resident_memory_bytes{{{target}}}", "{{job}} {{instance}}")],
                    unit="bytes",
                ),
                *health(service),
            ],
        ),
    ]


def dashboard(uid: str, title: str, description: str, rows: list[tuple[str, list[Panel]]]) -> dict[str, Any]:
    """A Grafana dashboard (schema 39) whose panels read the Prometheus the ``datasource`` variable names."""
    source = {"type": "prometheus", "uid": "${datasource}"}
    panels: list[dict[str, Any]] = []
    y = 0
    for row, members in rows:
        panels.append(
            {
                "id": len(panels) + 1,
                "type": "row",
                "title": row,
                "collapsed": False,
                "panels": [],
                "gridPos": {"h": 1, "w": 24, "x": 0, "y": y},
            }
        )
        y += 1
        x = 0
        for panel in members:
            if x + panel.width > 24:
                x, y = 0, y + 8
            targets = [
                {"refId": chr(ord("A") + i), "expr": expr, "legendFormat": legend, "instant": panel.instant}
                | ({"range": False} if panel.instant else {})
                for i, (expr, legend) in enumerate(panel.queries)
            ]
            panels.append(
                {
                    "id": len(panels) + 1,
                    "type": panel.kind,
                    "title": panel.title,
                    "description": panel.description,
                    "datasource": source,
                    "gridPos": {"h": 8, "w": panel.width, "x": x, "y": y},
                    "targets": [target | {"datasource": source} for target in targets],
                    "fieldConfig": {"defaults": {"unit": panel.unit}, "overrides": []},
                    "options": panel.options,
                }
            )
            x += panel.width
        y += 8
    return {
        "uid": uid,
        "title": title,
        "description": description,
        "tags": ["mentornet"],
        "editable": True,
        "schemaVersion": 39,
        "version": 1,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "timezone": "browser",
        "annotations": {"list": []},
        "links": [
            {"type": "dashboards", "tags": ["mentornet"], "title": "mentornet", "asDropdown": True},
        ],
        "templating": {
            "list": [
                {
                    "name": "datasource",
                    "label": "Prometheus",
                    "type": "datasource",
                    "query": "prometheus",
                    "current": {},
                    "hide": 0,
                }
            ]
        },
        "panels": panels,
    }


def dashboards() -> dict[str, dict[str, Any]]:
    """Every dashboard, by uid: the overview, then one per service."""
    found = {
        "mentornet-overview": dashboard(
            "mentornet-overview",
            "mentornet: the consortium at a glance",
            "Requests, latency and errors by service; events published and consumed; lag, outbox and dead "
            "letters; the mentoring funnel; what is down and what expires.",
            overview(),
        )
    }
    for service in SERVICES:
        found[f"mentornet-{service}"] = dashboard(
            f"mentornet-{service}",
            f"mentornet: {service}",
            f"{service}'s API, events, worker and processes.",
            per_service(service),
        )
    return found


def prometheus_rule(rules: Path = RULES) -> dict[str, Any]:
    """compose's rules file as a PrometheusRule (the Prometheus operator's custom resource)."""
    groups = yaml.safe_load(rules.read_text())["groups"]
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {
            "name": "mentornet",
            "labels": {"app.kubernetes.io/name": "mentornet", "prometheus": "mentornet"},
        },
        "spec": {"groups": groups},
    }


class _Literal(str):
    """A multi-line string written as a YAML block."""


def _block(dumper: Any, value: _Literal) -> Any:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")


# Only this module's own string type is written as a block; every other string as SafeDumper writes it.
yaml.add_representer(_Literal, _block, Dumper=yaml.SafeDumper)


def _blocks(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _blocks(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_blocks(v) for v in value]
    if isinstance(value, str) and "\n" in value:
        return _Literal(value)
    return value


def rule_yaml(rule: dict[str, Any]) -> str:
    """The PrometheusRule as the YAML file deploy/k8s/monitoring holds."""
    header = f"# Written by `make schemas` from {RULES.relative_to(ROOT)}: edit that file, not this one.\n"
    text = yaml.dump(_blocks(rule), Dumper=yaml.SafeDumper, sort_keys=False, width=200, allow_unicode=True)
    return header + str(text)


def dashboard_json(board: dict[str, Any]) -> str:
    """A dashboard as the committed file holds it."""
    return json.dumps(board, indent=1, ensure_ascii=False) + "\n"


def write(out: Path) -> list[Path]:
    """Write every dashboard and the PrometheusRule under ``out``; the paths written."""
    written = []
    (out / "dashboards").mkdir(parents=True, exist_ok=True)
    for uid, board in dashboards().items():
        path = out / "dashboards" / f"{uid}.json"
        path.write_text(dashboard_json(board))
        written.append(path)
    path = out / "prometheus-rule.yaml"
    path.write_text(rule_yaml(prometheus_rule()))
    written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("out", type=Path, help="the folder: deploy/k8s/monitoring")
    for path in write(parser.parse_args().out):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
