"""The figures of ``make bench`` from what it observed: percentiles, a step's verdict, the knee, CPU
accounting from process samples, the proposal ledger, the printed tables. Pure: nothing here reads a clock,
a process or the network, so the tests check it with made-up observations."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

# A step passes when it sustains this share of the offered rate ...
SUSTAINED_SHARE = 0.95
# ... with a p99 under this ...
P99_LIMIT_MS = 1000.0
# ... and every ask it posted was proposed within the drain bound (a separate argument).

# What the issue asks of the embedded default.
GOAL_KNEE = 60.0
GOAL_IDLE_P50_RATIO = 8.0
GOAL_IDLE_P99_RATIO = 15.0
# The idle phase at the end "did not grow" when its p50 is within this factor of the first one's.
GROWTH_TOLERANCE = 1.25

# A process, as CPU accounting tells one from another: (role, pid, start time in clock ticks). The start
# time tells a new process from an old one that had the same pid.
ProcessKey = tuple[str, int, int]


# The histograms of matching's worker that tell where an ask's time goes (mentornet_common.telemetry).
WAITED = "mentornet_event_wait_seconds"  # the record's timestamp -> its handling starts (per topic)
PUBLISHED = "mentornet_outbox_publish_delay_seconds"  # an outbox row written -> the broker acknowledges it
STARTED = "process_start_time_seconds"  # tells a restarted process (its totals begin again at zero)
# A histogram's running totals: (sample name, topic label or "") -> value, for its _sum and _count samples;
# and (STARTED, "") -> when the process started, when it says.
Totals = dict[tuple[str, str], float]


def histogram_totals(exposition: str, names: Iterable[str] = (WAITED, PUBLISHED)) -> Totals:
    """The _sum and _count samples of ``names`` in a Prometheus text exposition, summed over every other
    label but the topic, and the process's start time. Raises ValueError on a malformed exposition."""
    wanted = set(names)
    totals: Totals = {}
    for family in text_string_to_metric_families(exposition):
        if family.name == STARTED and family.samples:
            totals[(STARTED, "")] = family.samples[0].value
        if family.name not in wanted:
            continue
        for sample in family.samples:
            if sample.name.endswith(("_sum", "_count")):
                key = (sample.name, sample.labels.get("topic", ""))
                totals[key] = totals.get(key, 0.0) + sample.value
    return totals


def ask_path(
    before: Totals, after: Totals, mean_ms: float, asks_topic: str = "mentornet.asks"
) -> dict[str, float]:
    """Where a phase's asks spent their time, in means over the phase (milliseconds): ``waited`` from
    ``ask-created``'s timestamp until matching's worker began to handle it (the broker, the fetch, the
    queue), ``published`` from the proposal's outbox row to the broker's acknowledgement (the commit and
    the relay), and ``handled``, the rest of ``mean_ms`` (the mean latency): embedding, ranking, the
    proposal's reads and writes up to its outbox row. A remainder of means, not a measurement: the
    histograms count every record and row of the worker in the phase, the mean only the bench's asks, and
    the acknowledgement comes after ``match-proposed``'s timestamp (so ``handled`` is short of it by about a
    round trip). Empty when the worker saw none of them, restarted, or the remainder comes out negative."""

    if before.get((STARTED, "")) != after.get((STARTED, "")):
        return {}  # the worker restarted meanwhile: its totals began again

    def mean_ms_of(name: str, topic: str | None) -> float:
        def delta(sample: str) -> float:
            keys = {key for key in (*before, *after) if key[0] == f"{name}_{sample}"}
            keys = {key for key in keys if topic is None or key[1].endswith(topic)}
            deltas = [after.get(key, 0.0) - before.get(key, 0.0) for key in keys]
            return math.nan if any(d < 0 for d in deltas) else sum(deltas)

        count = delta("count")
        return 1000 * delta("sum") / count if count > 0 else math.nan

    waited, published = mean_ms_of(WAITED, asks_topic), mean_ms_of(PUBLISHED, None)  # (any topic prefix)
    if not (math.isfinite(waited) and math.isfinite(published) and math.isfinite(mean_ms)):
        return {}
    handled = mean_ms - waited - published
    if handled < 0:
        return {}  # the histograms' rows and the bench's asks differ too much for a remainder
    return {"mean_ms": mean_ms, "waited_ms": waited, "handled_ms": handled, "published_ms": published}


def path_line(step: Step) -> str | None:
    """One line: where the step's asks spent their time (None when unknown)."""
    path = step.path
    if not path:
        return None
    return (
        f"{step.name}: where an ask's {path['mean_ms']:.1f} ms went (means; matching's worker's metrics): "
        f"{path['waited_ms']:.1f} ms until the worker began it (broker, fetch, queue), "
        f"{path['handled_ms']:.1f} ms the rest (handling: embedding, ranking, the proposal), "
        f"{path['published_ms']:.1f} ms from the proposal's outbox row to the broker (commit, relay)"
    )


def percentile(values: Sequence[float], p: float) -> float:
    """The nearest-rank percentile (p in 0..100) of ``values``; NaN when there are none."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


def completion_rate(times_s: Sequence[float]) -> float:
    """Completions per second from their moments: the gaps between the first and the last one.

    When the system keeps up, completions are spaced as the asks were posted (the offered rate); when it
    does not, as fast as it serves them — whatever the latency, which only shifts them."""
    if len(times_s) < 2:
        return math.nan
    span = max(times_s) - min(times_s)
    return (len(times_s) - 1) / span if span > 0 else math.inf


@dataclass
class Step:
    """One phase at one offered rate: what was posted, what was proposed, how long it took, CPU used."""

    name: str
    offered: float
    seconds: float
    posted: int = 0
    refused: int = 0
    issued_rate: float = 0.0
    proposed: int = 0
    proposed_in_time: int = 0
    sustained: float = math.nan
    p50_ms: float = math.nan
    p99_ms: float = math.nan
    max_ms: float = math.nan
    post_p50_ms: float = math.nan
    post_p99_ms: float = math.nan
    drain_bound_s: float = 0.0
    # From the last post to the last proposal (or to giving up waiting).
    drain_s: float = 0.0
    window_s: float = 0.0
    cpu_ms: dict[str, float] = field(default_factory=dict)
    machine_cpu_ms: float = math.nan
    refusals: dict[str, int] = field(default_factory=dict)
    # Where the phase's asks spent their time in matching's worker (ask_path), when its metrics answered.
    path: dict[str, float] = field(default_factory=dict)
    passed: bool = False
    reasons: list[str] = field(default_factory=list)

    @property
    def missing(self) -> int:
        return self.posted - self.proposed

    def stack_cpu_ms(self, outside: Iterable[str] = ()) -> float:
        skip = set(outside)
        return sum(ms for role, ms in self.cpu_ms.items() if role not in skip)

    def as_json(self) -> dict[str, Any]:
        return {
            k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in asdict(self).items()
        }


def judge(step: Step) -> Step:
    """Set ``passed`` and the reasons it did not: the load generator issuing under 95% of the offered rate,
    refused posts, asks not proposed within the drain bound, sustained under 95% of offered, p99 at or over
    1 s. (A rate the bench could not issue is the bench's failure, not the system's: it says so.)"""
    reasons = []
    if step.issued_rate < SUSTAINED_SHARE * step.offered:
        reasons.append(f"the bench issued only {_num(step.issued_rate)}/s (the load generator lagged)")
    if step.posted == 0:
        reasons.append("no ask was accepted")
    if step.refused:
        reasons.append(f"{step.refused} posts refused ({_counts(step.refusals)})")
    late = step.posted - step.proposed_in_time
    if step.posted and late:
        reasons.append(
            f"{late} of {step.posted} not proposed within {step.drain_bound_s:g} s of the last post"
        )
    if not (step.sustained >= SUSTAINED_SHARE * step.offered):
        reasons.append(f"sustained {_num(step.sustained)}/s < {SUSTAINED_SHARE:.0%} of offered")
    if not (step.p99_ms < P99_LIMIT_MS):
        reasons.append(f"p99 {_num(step.p99_ms)} ms >= {P99_LIMIT_MS:g} ms")
    step.reasons = reasons
    step.passed = not reasons
    return step


def knee(steps: Iterable[Step]) -> float | None:
    """The highest offered rate among the passing ramp steps; None when none passed."""
    passing = [s.offered for s in steps if s.passed]
    return max(passing) if passing else None


def next_rates(rates: Sequence[float], steps: Sequence[Step], refinements: int) -> float | None:
    """The ramp's next rate: the next of ``rates`` while every step passed; after the first failure,
    up to ``refinements`` halvings of the gap between the highest pass (or 0) and the lowest failure."""
    failures = [s.offered for s in steps if not s.passed]
    if not failures:
        tried = {s.offered for s in steps}
        remaining = [r for r in rates if r not in tried]
        return remaining[0] if remaining else None
    first_failure = next(i for i, s in enumerate(steps) if not s.passed)
    if len(steps) - 1 - first_failure >= refinements:
        return None
    low = knee(steps) or 0.0
    high = min(f for f in failures if f > low) if any(f > low for f in failures) else None
    if high is None:
        return None
    middle = round((low + high) / 2 * 2) / 2  # to half an ask per second
    if middle <= low or middle >= high or middle <= 0:
        return None
    return middle


# CPU ---------------------------------------------------------------------------------------------------


def parse_proc_stat(text: str) -> tuple[int, int]:
    """(user + system ticks of the process and its waited-for children, start time in ticks) from the
    text of /proc/<pid>/stat (the command name, in parentheses, may hold spaces)."""
    fields = text[text.rindex(")") + 2 :].split()
    # fields[0] is field 3 of proc(5): utime is 14, stime 15, cutime 16, cstime 17, starttime 22
    utime, stime, cutime, cstime = (int(fields[i]) for i in (11, 12, 13, 14))
    return utime + stime + cutime + cstime, int(fields[19])


def parse_machine_stat(text: str) -> int:
    """Busy ticks of every CPU of the machine (everything but idle and iowait) from /proc/stat."""
    for line in text.splitlines():
        if line.startswith("cpu "):
            values = [int(v) for v in line.split()[1:]]
            user, nice, system, _idle, _iowait, irq, softirq = values[:7]
            steal = values[7] if len(values) > 7 else 0
            return user + nice + system + irq + softirq + steal
    raise ValueError("no cpu line in /proc/stat")


def cpu_by_role(before: Mapping[ProcessKey, float], after: Mapping[ProcessKey, float]) -> dict[str, float]:
    """CPU milliseconds each role used between two samples of every process's total.

    A process in both counts its growth; one that appeared in between counts all it used (it started in
    the window); one that disappeared counts nothing more than its last sample (keep the last sample of a
    process that exits, and little is lost)."""
    used: dict[str, float] = {}
    for key, total in after.items():
        role = key[0]
        used[role] = used.get(role, 0.0) + max(0.0, total - before.get(key, 0.0))
    return used


def busiest(step: Step, outside: Iterable[str] = ()) -> tuple[str, float]:
    """The role that used the most CPU-ms per second in a phase (all its replicas together)."""
    skip = set(outside)
    used = {role: ms for role, ms in step.cpu_ms.items() if role not in skip}
    if not used or not step.window_s:
        return "", math.nan
    role = max(used, key=lambda r: used[r])
    return role, used[role] / step.window_s


def per_ask(cpu_ms: Mapping[str, float], asks: int) -> dict[str, float]:
    return {role: ms / asks for role, ms in cpu_ms.items()} if asks else {}


def net_of_idle(cpu_ms: float, idle_ms_per_s: float, window_s: float) -> float:
    """What a window used beyond what the stack uses doing nothing for as long (never below zero)."""
    return max(0.0, cpu_ms - idle_ms_per_s * window_s)


# the proposal ledger -----------------------------------------------------------------------------------


@dataclass
class Ledger:
    """Every ``match-proposed`` seen on ``mentornet.matches``: which proposals each ask got, and how many
    times each event (its CloudEvents id) was delivered."""

    proposals: dict[str, set[str]] = field(default_factory=dict)
    deliveries: Counter[str] = field(default_factory=Counter)

    def record(self, ask_id: str, proposal_id: str, event_id: str) -> None:
        self.proposals.setdefault(ask_id, set()).add(proposal_id)
        self.deliveries[event_id] += 1

    def check(self, posted: Iterable[str]) -> dict[str, Any]:
        """For the asks posted: how many got a proposal, how many none (lost), how many two different
        proposals (a failure), and how many events were on the topic more than once (at-least-once
        redelivery of one proposal, which consumers skip)."""
        posted = list(posted)
        proposed = [a for a in posted if self.proposals.get(a)]
        doubled = sorted(a for a in posted if len(self.proposals.get(a, ())) > 1)
        lost = sorted(a for a in posted if not self.proposals.get(a))
        redelivered = {e: n for e, n in self.deliveries.items() if n > 1}
        return {
            "posted": len(posted),
            "proposed": len(proposed),
            "lost": len(lost),
            "lost_asks": lost[:20],
            "two_proposals": len(doubled),
            "two_proposals_asks": doubled[:20],
            "events_delivered_twice": len(redelivered),
            "extra_deliveries": sum(n - 1 for n in redelivered.values()),
        }


def store_check(asks: Iterable[Mapping[str, Any]], posted: Iterable[str]) -> dict[str, Any]:
    """The same from matching's own store (its API's list of each mentee's asks with their proposals)."""
    found = {a["id"]: len(a.get("proposals", [])) for a in asks}
    posted = list(posted)
    return {
        "asks_in_store": sum(1 for a in posted if a in found),
        "missing_from_store": sum(1 for a in posted if a not in found),
        "with_one_proposal": sum(1 for a in posted if found.get(a) == 1),
        "with_none": sum(1 for a in posted if found.get(a) == 0),
        "with_more": sum(1 for a in posted if found.get(a, 0) > 1),
    }


# printing ----------------------------------------------------------------------------------------------


def _num(value: float | None, digits: int = 1) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    return f"{value:,.{digits}f}"


def _counts(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{n} x {what}" for what, n in sorted(counts.items()))


def ratio(a: float | None, b: float | None) -> float:
    if a is None or b is None or not math.isfinite(a) or not math.isfinite(b) or b <= 0:
        return math.nan
    return a / b


def steps_table(steps: Sequence[Step], outside: Sequence[str], idle_ms_per_s: float) -> list[str]:
    """One line per phase: offered and sustained rates, latency, CPU, verdict."""
    head = (
        f"{'phase':<12}{'offered':>8}{'posted':>7}{'prop.':>7}{'sustained':>10}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'max ms':>9}{'CPU-ms/s':>9}{'machine':>8}{'CPU-ms/ask':>11}{'net':>6}  verdict"
    )
    lines = [head, "-" * len(head)]
    for s in steps:
        stack = s.stack_cpu_ms(outside)
        rate = stack / s.window_s if s.window_s else math.nan
        machine = s.machine_cpu_ms / s.window_s if s.window_s else math.nan
        gross = stack / s.posted if s.posted else math.nan
        net = net_of_idle(stack, idle_ms_per_s, s.window_s) / s.posted if s.posted else math.nan
        verdict = (
            ("pass" if s.passed else "FAIL: " + "; ".join(s.reasons)) if s.name.startswith("ramp") else ""
        )
        if not s.name.startswith("ramp") and s.missing:
            verdict = f"{s.missing} not proposed"
        lines.append(
            f"{s.name:<12}{_num(s.offered):>8}{s.posted:>7}{s.proposed:>7}{_num(s.sustained):>10}"
            f"{_num(s.p50_ms):>9}{_num(s.p99_ms):>9}{_num(s.max_ms):>9}{_num(rate, 0):>9}"
            f"{_num(machine, 0):>8}{_num(gross):>11}{_num(net, 0):>6}  {verdict}"
        )
    return lines


def _used_by(role: str) -> Callable[[Step], float]:
    return lambda step: step.cpu_ms.get(role, 0.0)


def process_table(
    steps: Sequence[Step],
    idle_cpu_ms_per_s: Mapping[str, float],
    roles: Sequence[str],
    outside: Sequence[str],
) -> list[str]:
    """CPU-ms per ask of each process (role), one column per phase, the idle stack's CPU-ms/s first; then
    the stack's total, then what runs outside the stack (the load generator)."""
    width = max([9, *(len(s.name) + 1 for s in steps)])
    head = f"{'process':<22}{'idle/s':>8}" + "".join(f"{s.name:>{width}}" for s in steps)

    def row(label: str, idle: float | None, used: Callable[[Step], float]) -> str:
        cells = "".join(f"{_num(used(s) / s.posted if s.posted else math.nan):>{width}}" for s in steps)
        return f"{label:<22}{_num(idle, 0):>8}{cells}"

    lines = [head, "-" * len(head)]
    for role in (r for r in roles if r not in outside):
        lines.append(row(role, idle_cpu_ms_per_s.get(role), _used_by(role)))
    idle_total = sum(v for r, v in idle_cpu_ms_per_s.items() if r not in outside)
    lines += ["-" * len(head), row("stack total", idle_total, lambda s: s.stack_cpu_ms(outside))]
    for role in (r for r in roles if r in outside):
        lines.append(row(role, idle_cpu_ms_per_s.get(role), _used_by(role)))
    return lines
