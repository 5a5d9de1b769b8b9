"""`make bench`'s arithmetic, from made-up observations: no stack, no clock, no timing."""

from __future__ import annotations

import math

import pytest

from mentornet_devkit.bench_figures import (
    Ledger,
    Step,
    ask_path,
    busiest,
    completion_rate,
    cpu_by_role,
    histogram_totals,
    judge,
    knee,
    net_of_idle,
    next_rates,
    parse_machine_stat,
    parse_proc_stat,
    path_line,
    percentile,
    process_table,
    steps_table,
    store_check,
)

RATES = [5.0, 10.0, 20.0, 30.0]


def step(offered: float, passed: bool = True, **figures: float) -> Step:
    """A judged ramp step that kept up (or, with ``passed=False``, sustained only half the rate)."""
    posted = int(offered * 15)
    made = Step(
        name=f"ramp {offered:g}",
        offered=offered,
        seconds=15,
        posted=posted,
        proposed=posted,
        proposed_in_time=posted,
        issued_rate=offered,
        sustained=offered if passed else offered / 2,
        p50_ms=40.0,
        p99_ms=90.0,
        drain_bound_s=5.0,
    )
    for name, value in figures.items():
        setattr(made, name, value)
    return judge(made)


def test_percentile_is_the_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile(values, 100) == 100.0
    assert percentile([7.0], 99) == 7.0
    assert percentile(list(reversed(values)), 1) == 1.0
    assert math.isnan(percentile([], 50))


def test_completion_rate_follows_the_offered_rate_or_the_service_rate() -> None:
    # kept up: one completion every 0.2 s, whatever the (constant) latency
    assert completion_rate([10.0 + i * 0.2 for i in range(76)]) == pytest.approx(5.0)
    # saturated: completions come every 0.5 s however fast asks were posted
    assert completion_rate([3.0 + i * 0.5 for i in range(40)]) == pytest.approx(2.0)
    assert math.isnan(completion_rate([1.0]))


def test_a_step_passes_only_when_every_condition_holds() -> None:
    assert step(20).passed
    assert step(20).reasons == []

    refused = step(20, refused=3)
    refused.refusals = {"429": 3}
    assert not judge(refused).passed
    assert "3 posts refused (3 x 429)" in refused.reasons

    late = step(20, proposed_in_time=290)
    assert not late.passed
    assert late.reasons == ["10 of 300 not proposed within 5 s of the last post"]

    slow = step(20, sustained=18.9)
    assert not slow.passed and "sustained" in slow.reasons[0]
    assert step(20, sustained=19.0).passed  # 95% exactly passes

    tail = step(20, p99_ms=1000.0)
    assert not tail.passed and tail.reasons == ["p99 1,000.0 ms >= 1000 ms"]

    lagging = step(20, issued_rate=18.0)
    assert not lagging.passed
    assert lagging.reasons == ["the bench issued only 18.0/s (the load generator lagged)"]

    nothing = step(20, posted=0, proposed=0, proposed_in_time=0, sustained=math.nan, p99_ms=math.nan)
    assert not nothing.passed and nothing.reasons[0] == "no ask was accepted"


def test_the_knee_is_the_highest_passing_step() -> None:
    assert knee([step(5), step(10), step(20, passed=False), step(15)]) == 15.0
    assert knee([step(5), step(10), step(20, passed=False), step(15, passed=False)]) == 10.0
    assert knee([step(5, passed=False)]) is None
    assert knee([]) is None


def test_the_ramp_climbs_until_a_failure_then_halves_the_gap() -> None:
    assert next_rates(RATES, [], refinements=1) == 5.0
    assert next_rates(RATES, [step(5), step(10)], refinements=1) == 20.0
    # 20 failed: one more step between the knee (10) and the failure
    assert next_rates(RATES, [step(5), step(10), step(20, passed=False)], refinements=1) == 15.0
    assert next_rates(RATES, [step(5), step(10), step(20, passed=False), step(15)], refinements=1) is None
    # with two refinements: after 15 passed, between 15 and 20
    steps = [step(5), step(10), step(20, passed=False), step(15)]
    assert next_rates(RATES, steps, refinements=2) == 17.5
    # no refinement: stop at the first failure
    assert next_rates(RATES, [step(5), step(10, passed=False)], refinements=0) is None
    # the first step fails: half of it
    assert next_rates(RATES, [step(5, passed=False)], refinements=1) == 2.5
    # every rate passed: the ramp ends
    assert next_rates(RATES, [step(r) for r in RATES], refinements=1) is None


def test_proc_stat_gives_the_process_and_its_children_cpu_and_its_start() -> None:
    # the command may hold spaces and parentheses; utime 1500 stime 300 cutime 20 cstime 5, start 123456
    text = (
        "4242 (python -m (x)) S 1 4242 4242 0 -1 4194304 9000 0 0 0 1500 300 20 5 20 0 12 0 123456 "
        "1000000 5000 18446744073709551615 1 1 0 0 0 0 0 16781312 134234626 0 0 0 17 1 0 0 0 0 0"
    )
    assert parse_proc_stat(text) == (1825, 123456)


def test_machine_stat_counts_busy_ticks_only() -> None:
    text = "cpu  100 5 50 10000 40 3 2 1 0 0\ncpu0 50 2 25 5000 20 1 1 0 0 0\nintr 1\n"
    assert parse_machine_stat(text) == 100 + 5 + 50 + 3 + 2 + 1


def test_cpu_is_counted_per_role_across_replicas_new_processes_and_reused_pids() -> None:
    before = {
        ("broker", 10, 1): 1000.0,
        ("matching-worker", 11, 2): 500.0,
        ("sessions-worker", 12, 3): 300.0,
    }
    after = {
        ("broker", 10, 1): 1400.0,
        ("matching-worker", 11, 2): 900.0,
        ("matching-worker", 20, 50): 250.0,  # a replica started in the window: all of it counts
        ("sessions-worker", 12, 3): 300.0,
        ("sessions-worker", 12, 60): 40.0,  # pid 12 again, another process: counted as new
    }
    assert cpu_by_role(before, after) == {
        "broker": 400.0,
        "matching-worker": 650.0,
        "sessions-worker": 40.0,
    }
    assert net_of_idle(5000.0, 300.0, 10.0) == 2000.0
    assert net_of_idle(1000.0, 300.0, 10.0) == 0.0


def test_the_busiest_process_is_the_one_using_most_cpu_per_second() -> None:
    ramp = step(10, window_s=20.0)
    ramp.cpu_ms = {"broker": 4000.0, "matching-worker": 16000.0, "load generator": 30000.0}
    assert busiest(ramp, ["load generator"]) == ("matching-worker", 800.0)
    assert busiest(step(10), ["load generator"])[0] == ""


def test_the_ledger_tells_redelivery_from_a_second_proposal_and_from_a_lost_ask() -> None:
    ledger = Ledger()
    ledger.record("ask_1", "prp_1", "evt_1")
    ledger.record("ask_1", "prp_1", "evt_1")  # the same event twice: at-least-once, fine
    ledger.record("ask_2", "prp_2", "evt_2")
    ledger.record("ask_2", "prp_3", "evt_3")  # a second proposal for one ask: a failure
    ledger.record("ask_9", "prp_9", "evt_9")  # not one of ours
    checked = ledger.check(["ask_1", "ask_2", "ask_3"])
    assert checked["posted"] == 3
    assert checked["proposed"] == 2
    assert (checked["lost"], checked["lost_asks"]) == (1, ["ask_3"])
    assert (checked["two_proposals"], checked["two_proposals_asks"]) == (1, ["ask_2"])
    assert (checked["events_delivered_twice"], checked["extra_deliveries"]) == (1, 1)


def test_the_store_check_counts_proposals_per_posted_ask() -> None:
    listed = [
        {"id": "ask_1", "proposals": [{"id": "prp_1"}]},
        {"id": "ask_2", "proposals": [{"id": "prp_2"}, {"id": "prp_3"}]},
        {"id": "ask_3", "proposals": []},
        {"id": "ask_8", "proposals": [{"id": "prp_8"}]},  # an earlier run's
    ]
    assert store_check(listed, ["ask_1", "ask_2", "ask_3", "ask_4"]) == {
        "asks_in_store": 3,
        "missing_from_store": 1,
        "with_one_proposal": 1,
        "with_none": 1,
        "with_more": 1,
    }


def test_the_tables_show_every_phase_and_process() -> None:
    steps = [step(5, window_s=20.0), step(10, passed=False, window_s=25.0)]
    steps[0].cpu_ms = {"broker": 1500.0, "matching-worker": 4500.0, "load generator": 150.0}
    steps[1].cpu_ms = {"broker": 2500.0, "matching-worker": 9000.0, "load generator": 300.0}
    lines = steps_table(steps, ["load generator"], idle_ms_per_s=100.0)
    assert lines[2].split()[:3] == ["ramp", "5", "5.0"]
    assert lines[2].endswith("pass")
    assert "FAIL: sustained 5.0/s < 95% of offered" in lines[3]
    # ramp 5: 6000 CPU-ms over 20 s and 75 asks; net of the idle 100 CPU-ms/s: (6000 - 2000) / 75
    assert " 300 " in lines[2] and " 80.0 " in lines[2] and lines[2].split()[-2] == "53"

    rows = process_table(
        steps, {"broker": 50.0}, ["broker", "matching-worker", "load generator"], ["load generator"]
    )
    assert [r.split()[0] for r in rows[2:]] == [
        "broker",
        "matching-worker",
        "-" * len(rows[0]),
        "stack",
        "load",
    ]
    assert rows[2].split()[1:] == ["50", "20.0", "16.7"]
    assert rows[5].split()[2:] == ["50", "80.0", "76.7"]


def test_a_stack_that_failed_before_measuring_is_reported_not_a_crash() -> None:
    from mentornet_devkit.bench import report

    failed = {"label": "attached to the running system on port 8001", "error": "DemoFailed: no operator"}
    lines = "\n".join(report([failed]))  # raised KeyError: 'runs' before
    assert "FAILED: DemoFailed: no operator" in lines


def exposition(waited: tuple[float, int], published: tuple[float, int]) -> str:
    """Matching's worker's metrics as it serves them: the ask topic's wait beside another topic's."""
    asks = 'group="matching",topic="bench.mentornet.asks"'
    return "\n".join(
        [
            "# TYPE mentornet_event_wait_seconds histogram",
            f'mentornet_event_wait_seconds_bucket{{{asks},le="+Inf"}} {waited[1]}',
            f"mentornet_event_wait_seconds_count{{{asks}}} {waited[1]}",
            f"mentornet_event_wait_seconds_sum{{{asks}}} {waited[0]}",
            'mentornet_event_wait_seconds_count{group="matching",topic="bench.mentornet.matches"} 50',
            'mentornet_event_wait_seconds_sum{group="matching",topic="bench.mentornet.matches"} 9.0',
            "# TYPE mentornet_outbox_publish_delay_seconds histogram",
            f'mentornet_outbox_publish_delay_seconds_count{{service="matching"}} {published[1]}',
            f'mentornet_outbox_publish_delay_seconds_sum{{service="matching"}} {published[0]}',
            "# TYPE mentornet_events_published_total counter",
            'mentornet_events_published_total{topic="bench.mentornet.matches",type="x"} 7',
            "",
        ]
    )


def test_where_an_asks_time_went_comes_from_the_workers_histograms_over_the_phase() -> None:
    before = histogram_totals(exposition((1.0, 10), (0.04, 10)))
    after = histogram_totals(exposition((1.2, 30), (0.12, 30)))
    # 20 asks over the phase: 0.2 s waited (10 ms each), 0.08 s published (4 ms each); 30 ms on average.
    path = ask_path(before, after, mean_ms=30.0)
    assert path == pytest.approx(
        {"mean_ms": 30.0, "waited_ms": 10.0, "handled_ms": 16.0, "published_ms": 4.0}
    )
    idle = step(1, name="idle", path=path)  # type: ignore[arg-type]
    line = path_line(idle)
    assert line is not None and line.startswith("idle: where an ask's 30.0 ms went")
    assert "10.0 ms until the worker began it" in line and "16.0 ms the rest (handling" in line
    # Nothing handled over the phase (or no metrics): no path, and no line.
    assert ask_path(after, after, mean_ms=30.0) == {} and path_line(step(1)) is None
    # A worker that restarted meanwhile counts from zero again: no path either, whatever the deltas.
    restarted = histogram_totals("process_start_time_seconds 2.0\n" + exposition((0.5, 15), (0.06, 15)))
    assert histogram_totals("process_start_time_seconds 1.0\n")[("process_start_time_seconds", "")] == 1.0
    assert ask_path({**before, ("process_start_time_seconds", ""): 1.0}, restarted, mean_ms=30.0) == {}
    # Means that leave less than nothing for the handling say nothing about it.
    assert ask_path(before, after, mean_ms=12.0) == {}
