"""``make fetch-wait`` delivers every record it sends and reads the CPU of both sides."""

from __future__ import annotations

import math

import pytest

from mentornet_devkit import fetch_wait

pytestmark = pytest.mark.integration  # a broker of its own


def test_each_wait_gets_its_deliveries_and_its_idle_cost() -> None:
    printed: list[str] = []
    rows = fetch_wait.main(["--waits", "50", "--messages", "4", "--idle-seconds", "0.5"], out=printed.append)
    assert [row["fetch_max_wait_ms"] for row in rows] == [50]
    assert rows[0]["delivered"] == 4 and rows[0]["p50_ms"] > 0
    # The broker is the probe's own, so its CPU is read too.
    assert math.isfinite(rows[0]["idle_client_cpu_ms_per_s"]) and math.isfinite(
        rows[0]["idle_broker_cpu_ms_per_s"]
    )
    assert printed[1].split()[:3] == ["wait", "p50", "ms"]
