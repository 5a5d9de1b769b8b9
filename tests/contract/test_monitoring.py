"""Observability as code: the dashboards and rules name only metrics the services export, the rules pass
Prometheus' own checks and unit tests, every alert has its runbook, every API and worker is scraped in compose
and in Kubernetes, and migrations Jobs are replaced by a new image tag."""

from __future__ import annotations

import importlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import REGISTRY

from mentornet_devkit import monitoring
from mentornet_devkit.pytest_plugin import require_tool

from .test_deploy import SECRETS, SERVICES, kustomize

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "deploy/docker/prometheus-rules.yml"
RULE_TESTS = sorted((ROOT / "tests/contract/prometheus").glob("rules-test*.yml"))
MONITORING = ROOT / "deploy/k8s/monitoring"
RUNBOOKS = ROOT / "docs/runbooks"
# Series Prometheus itself makes for every target, beside what the target exports.
PROMETHEUS_SERIES = {"up", "scrape_duration_seconds", "scrape_samples_scraped"}


# What the services export ----------------------------------------------------------------------------------


def exported_series() -> set[str]:
    """Every series name the services' API and worker processes can export, from the Prometheus registry
    once every service's API and worker modules are imported (the metrics are registered at import)."""
    for service in SERVICES:
        importlib.import_module(f"{service}.main")
        importlib.import_module(f"{service}.worker")
    suffixes = {
        "counter": ("_total", "_created"),
        "gauge": ("",),
        "histogram": ("_bucket", "_count", "_sum", "_created"),
        "summary": ("", "_count", "_sum", "_created"),
        "info": ("_info",),
    }
    names: set[str] = set()
    for family in REGISTRY.collect():
        names.update(f"{family.name}{suffix}" for suffix in suffixes.get(family.type, ("",)))
        names.update(sample.name for sample in family.samples)
    return names


def exported_labels() -> dict[str, set[str]]:
    """The label names of each exported series (a histogram's buckets add ``le``)."""
    exported_series()
    labels: dict[str, set[str]] = {}
    for name, collector in REGISTRY._names_to_collectors.items():
        own = set(getattr(collector, "_labelnames", ()))
        labels[name] = own | ({"le"} if name.endswith("_bucket") else set())
    return labels


# Labels every scrape configuration here gives a target (deploy/docker/prometheus.yml, the ServiceMonitor
# and PodMonitor), which Prometheus adds to each of its series.
TARGET_LABELS = {"job", "instance", "mentornet_service"}
_SELECTOR = re.compile(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\}")


def selector_labels(expr: str) -> list[tuple[str, set[str]]]:
    """(metric, the label names its matchers name) of each selector with matchers in an expression."""
    bare = re.sub(r"\$\w+", "", expr)
    return [
        (name, set(re.findall(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)", matchers)))
        for name, matchers in _SELECTOR.findall(bare)
    ]


_FUNCTION_OR_KEYWORD = re.compile(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_IDENTIFIER = re.compile(r"(?<![\w.:$])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w:])(?!\s*\()")
_KEYWORDS = {
    "and",
    "or",
    "unless",
    "bool",
    "offset",
    "inf",
    "nan",
    "group_left",
    "group_right",
    "by",
    "without",
    "on",
    "ignoring",
}


def metric_names(expr: str) -> set[str]:
    """The metric (and recorded series) names a PromQL expression selects."""
    bare = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # strings: label values, quantiles' labels
    bare = re.sub(r"\{[^}]*\}", "", bare)  # label matchers
    bare = re.sub(r"\[[^\]]*\]", "", bare)  # ranges: [5m], [$__rate_interval]
    bare = _FUNCTION_OR_KEYWORD.sub("", bare)  # label lists
    bare = re.sub(r"\$\w+", "", bare)  # Grafana's variables
    return {name for name in _IDENTIFIER.findall(bare) if name.lower() not in _KEYWORDS}


def rules() -> list[dict[str, Any]]:
    return [rule for group in yaml.safe_load(RULES.read_text())["groups"] for rule in group["rules"]]


def alerts() -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for rule in rules():
        if "alert" in rule:
            found.setdefault(rule["alert"], []).append(rule)
    return found


def dashboard_queries() -> list[tuple[str, str, str]]:
    """(dashboard, panel, expression) of every committed dashboard."""
    found = []
    for path in sorted((MONITORING / "dashboards").glob("*.json")):
        board = json.loads(path.read_text())
        for panel in board["panels"]:
            for target in panel.get("targets", []):
                found.append((board["uid"], panel["title"], target["expr"]))
    return found


def test_the_name_reader_finds_the_metrics_of_an_expression_and_nothing_else() -> None:
    expr = (
        "histogram_quantile(0.99, sum by (service, le) (rate(mentornet_http_request_duration_seconds_bucket"
        '{route!="/v1/events"}[$__rate_interval]))) / on (service) group_left '
        "mentornet:http_slow_ratio:rate5m"
        " and time() - max(nonexistent_metric_seconds offset 5m) > 14.4 * 86400"
    )
    assert metric_names(expr) == {
        "mentornet_http_request_duration_seconds_bucket",
        "mentornet:http_slow_ratio:rate5m",
        "nonexistent_metric_seconds",
    }


def test_every_metric_the_dashboards_and_the_rules_name_is_exported_by_a_service() -> None:
    exported = exported_series()
    recorded = {rule["record"] for rule in rules() if "record" in rule}
    known = exported | recorded | PROMETHEUS_SERIES
    assert "mentornet_outbox_oldest_age_seconds" in exported  # the registry was read
    unknown = [
        (where, name)
        for where, expr in [(f"rule {r.get('alert') or r.get('record')}", r["expr"]) for r in rules()]
        + [(f"dashboard {uid}: {title}", expr) for uid, title, expr in dashboard_queries()]
        for name in metric_names(expr)
        if name not in known
    ]
    assert not unknown, f"queries naming metrics no service exports: {unknown}"
    assert len(dashboard_queries()) > 100


def test_every_label_the_queries_match_on_is_one_the_metric_or_its_target_has() -> None:
    labels = exported_labels()
    recorded = {rule["record"]: {"service"} for rule in rules() if "record" in rule}
    known = labels | recorded | {name: set() for name in PROMETHEUS_SERIES}
    exprs = [r["expr"] for r in rules()] + [expr for _, _, expr in dashboard_queries()]
    wrong = [
        (name, sorted(used - known[name] - TARGET_LABELS))
        for expr in exprs
        for name, used in selector_labels(expr)
        if name in known and used - known[name] - TARGET_LABELS
    ]
    assert not wrong, f"queries matching on labels their metric does not have: {wrong}"
    assert ("mentornet_consumer_lag", {"group"}) in selector_labels('sum(mentornet_consumer_lag{group="x"})')


def test_the_committed_dashboards_and_prometheus_rule_are_what_make_schemas_writes(tmp_path: Path) -> None:
    monitoring.write(tmp_path)
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    committed = sorted(
        p.relative_to(MONITORING)
        for p in MONITORING.rglob("*")
        if p.is_file() and p.name not in {"kustomization.yaml", "scrape.yaml"}
    )
    assert written == committed, "run `make schemas` and commit deploy/k8s/monitoring"
    for path in written:
        assert (tmp_path / path).read_text() == (MONITORING / path).read_text(), (
            f"{path} differs from what `make schemas` writes"
        )


def test_there_is_an_overview_and_a_dashboard_per_service_with_the_funnel() -> None:
    boards = monitoring.dashboards()
    assert set(boards) == {"mentornet-overview", *(f"mentornet-{s}" for s in SERVICES)}
    overview = json.dumps(boards["mentornet-overview"])
    for _, ce_type in monitoring.FUNNEL:
        assert ce_type in overview
    for uid, board in boards.items():
        ids = [panel["id"] for panel in board["panels"]]
        assert len(ids) == len(set(ids)), uid
        for panel in board["panels"]:
            assert panel["gridPos"]["x"] + panel["gridPos"]["w"] <= 24, (uid, panel["title"])


# Rules: Prometheus' own checks, and runbooks ---------------------------------------------------------------


@pytest.mark.integration  # runs promtool
def test_promtool_checks_the_rules_and_the_compose_scrape_configuration() -> None:
    promtool = require_tool("promtool")
    for args in (
        ["check", "rules", str(RULES)],
        ["check", "config", str(ROOT / "deploy/docker/prometheus.yml")],
    ):
        result = subprocess.run([str(promtool), *args], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.integration  # runs promtool
def test_the_rules_unit_tests_pass_each_alert_firing_and_not() -> None:
    promtool = require_tool("promtool")
    result = subprocess.run(
        [str(promtool), "test", "rules", *(p.name for p in RULE_TESTS)],
        capture_output=True,
        text=True,
        cwd=RULE_TESTS[0].parent,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    tested = {
        test["alertname"]
        for path in RULE_TESTS
        for case in yaml.safe_load(path.read_text())["tests"]
        for test in case.get("alert_rule_test", [])
        if test.get("exp_alerts")
    }
    assert tested == set(alerts()), f"alerts no unit test makes fire: {set(alerts()) - tested}"


def test_every_alert_links_its_runbook_and_is_listed_in_the_operations_guide() -> None:
    guide = (ROOT / "docs/operations.md").read_text()
    for name, variants in alerts().items():
        for rule in variants:
            url = rule["annotations"]["runbook_url"]
            assert url == f"docs/runbooks/{name}.md", (name, url)
            runbook = ROOT / url
            assert runbook.is_file(), f"{name}: no runbook at {url}"
            text = runbook.read_text()
            for part in ("## What it means", "## How to confirm", "## What to do", "mentornet "):
                assert part in text, f"{url} lacks {part!r}"
            assert {"summary", "description"} <= set(rule["annotations"]), name
            assert rule["labels"]["severity"] in {"page", "ticket", "warning"}, name
        assert f"[{name}](runbooks/{name}.md)" in guide, f"docs/operations.md does not list {name}"
    assert {p.stem for p in RUNBOOKS.glob("*.md")} - {"README"} == set(alerts()), "a runbook for no alert"


# Scraping everything ---------------------------------------------------------------------------------------


def compose_file() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "docker-compose.yml").read_text()))


def test_compose_prometheus_scrapes_every_api_and_worker_and_loads_the_rules() -> None:
    services = compose_file()["services"]
    expected = {
        ("mentornet-api", f"{name}:8000", name.removesuffix("-api"))
        for name in services
        if name.endswith("-api")
    } | {
        ("mentornet-worker", f"{name}:9100", name.removesuffix("-worker"))
        for name in services
        if name.endswith("-worker")
    }
    assert len(expected) == 2 * len(SERVICES) + 1  # and the web console's API, which has no worker
    config = yaml.safe_load((ROOT / "deploy/docker/prometheus.yml").read_text())
    scraped = {
        (job["job_name"], target, static["labels"]["mentornet_service"])
        for job in config["scrape_configs"]
        for static in job["static_configs"]
        for target in static["targets"]
    }
    assert scraped == expected
    assert config["rule_files"] == ["prometheus-rules.yml"]
    mounts = services["prometheus"]["volumes"]
    assert "./deploy/docker/prometheus-rules.yml:/etc/prometheus/prometheus-rules.yml:ro" in mounts


def test_compose_grafana_provisions_the_dashboards_on_compose_prometheus() -> None:
    grafana = compose_file()["services"]["grafana"]
    assert "./deploy/k8s/monitoring/dashboards:/var/lib/grafana/dashboards/mentornet:ro" in grafana["volumes"]
    provisioning = ROOT / "deploy/docker/grafana/provisioning"
    assert "./deploy/docker/grafana/provisioning:/etc/grafana/provisioning:ro" in grafana["volumes"]
    (source,) = yaml.safe_load((provisioning / "datasources/prometheus.yml").read_text())["datasources"]
    assert source["type"] == "prometheus" and source["url"] == "http://prometheus:9090"
    (provider,) = yaml.safe_load((provisioning / "dashboards/mentornet.yml").read_text())["providers"]
    assert provider["options"]["path"] == "/var/lib/grafana/dashboards/mentornet"


@pytest.mark.integration  # runs docker-compose
def test_compose_refuses_to_start_grafana_without_its_admin_password() -> None:
    binary = require_tool("docker-compose")
    env = {k: v for k, v in os.environ.items() if k not in SECRETS} | {
        k: v for k, v in SECRETS.items() if k != "GRAFANA_ADMIN_PASSWORD"
    }
    result = subprocess.run(
        [str(binary), "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode != 0 and "GRAFANA_ADMIN_PASSWORD" in result.stderr


def _matches(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in selector.items())


@pytest.mark.integration  # runs kubectl
def test_the_prod_overlay_scrapes_every_api_and_worker_with_the_rules_labels() -> None:
    objects = kustomize("prod")
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for obj in objects:
        by_kind.setdefault(obj["kind"], []).append(obj)
    (monitor,) = by_kind["ServiceMonitor"]
    (pods,) = by_kind["PodMonitor"]
    for obj in (monitor, pods):
        assert obj["apiVersion"] == "monitoring.coreos.com/v1"
        assert obj["metadata"]["namespace"] == "mentornet"
        assert set(obj["spec"]["selector"]) == {"matchLabels"}
    (endpoint,) = monitor["spec"]["endpoints"]
    (pod_endpoint,) = pods["spec"]["podMetricsEndpoints"]
    for point, job, meta in (
        (endpoint, "mentornet-api", "__meta_kubernetes_service_label_app_kubernetes_io_name"),
        (pod_endpoint, "mentornet-worker", "__meta_kubernetes_pod_label_app_kubernetes_io_name"),
    ):
        assert point["path"] == "/metrics"
        relabel = {r["targetLabel"]: r for r in point["relabelings"]}
        assert relabel["job"]["replacement"] == job and "sourceLabels" not in relabel["job"]
        assert relabel["mentornet_service"]["sourceLabels"] == [meta]
    # Every API's Service, and every worker's pods, are selected, on a port they have.
    services = [
        s
        for s in by_kind["Service"]
        if _matches(monitor["spec"]["selector"]["matchLabels"], s["metadata"]["labels"])
    ]
    apis = (*SERVICES, "console")  # the web console serves /metrics too
    assert sorted(s["metadata"]["name"] for s in services) == sorted(f"{s}-api" for s in apis)
    for service in services:
        assert endpoint["port"] in {p["name"] for p in service["spec"]["ports"]}
    workers = [
        d
        for d in by_kind["Deployment"]
        if _matches(pods["spec"]["selector"]["matchLabels"], d["spec"]["template"]["metadata"]["labels"])
    ]
    assert sorted(d["metadata"]["name"] for d in workers) == sorted(f"{s}-worker" for s in SERVICES)
    for worker in workers:
        (container,) = worker["spec"]["template"]["spec"]["containers"]
        assert pod_endpoint["port"] in {p["name"] for p in container["ports"]}


@pytest.mark.integration  # runs kubectl
def test_the_prod_overlay_ships_the_rules_and_every_dashboard_for_grafanas_sidecar() -> None:
    objects = kustomize("prod")
    (rule,) = [o for o in objects if o["kind"] == "PrometheusRule"]
    assert rule["apiVersion"] == "monitoring.coreos.com/v1"
    assert rule["spec"]["groups"] == yaml.safe_load(RULES.read_text())["groups"]
    for group in rule["spec"]["groups"]:
        assert group["name"] and group["rules"]
        for each in group["rules"]:
            assert ("alert" in each) != ("record" in each) and each["expr"]
    shipped = {}
    for obj in objects:
        if obj["kind"] == "ConfigMap" and obj["metadata"].get("labels", {}).get("grafana_dashboard") == "1":
            ((name, text),) = obj["data"].items()
            shipped[name] = json.loads(text)
    assert shipped == {f"{uid}.json": board for uid, board in monitoring.dashboards().items()}


# Upgrades that apply ---------------------------------------------------------------------------------------


def render_with_tag(tmp_path: Path, overlay: str, tag: str) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The overlay as `kustomize edit set image` would leave it for ``tag``, rendered; and each image's name
    as the overlay writes it."""
    kubectl = require_tool("kubectl")
    tree = tmp_path / tag / "k8s"
    shutil.copytree(ROOT / "deploy/k8s", tree)
    path = tree / "overlays" / overlay / "kustomization.yaml"
    kustomization = yaml.safe_load(path.read_text())
    for image in kustomization["images"]:
        image["newTag"] = tag
    path.write_text(yaml.safe_dump(kustomization, sort_keys=False))
    result = subprocess.run([str(kubectl), "kustomize", str(path.parent)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    names = {i["name"].split("/")[-1]: i.get("newName", i["name"]) for i in kustomization["images"]}
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc], names


@pytest.mark.integration  # runs kubectl
@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_a_new_image_tag_makes_new_migrations_jobs_and_leaves_every_other_name(
    tmp_path: Path, overlay: str
) -> None:
    (before, images), (after, _) = (
        render_with_tag(tmp_path, overlay, tag) for tag in ("1.0.0", "1.1.0-rc.1")
    )

    def jobs(objects: list[dict[str, Any]]) -> dict[str, str]:
        return {
            o["metadata"]["name"]: o["spec"]["template"]["spec"]["containers"][0]["image"]
            for o in objects
            if o["kind"] == "Job"
        }

    assert jobs(before) == {f"{s}-migrate-1.0.0": f"{images[s]}:1.0.0" for s in SERVICES}
    assert jobs(after) == {f"{s}-migrate-1.1.0-rc.1": f"{images[s]}:1.1.0-rc.1" for s in SERVICES}
    others = [
        {(o["kind"], o["metadata"]["name"]) for o in objs if o["kind"] != "Job"} for objs in (before, after)
    ]
    assert others[0] == others[1]
