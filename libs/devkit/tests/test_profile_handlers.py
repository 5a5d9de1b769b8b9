"""make profile-handlers drives each service's handlers with one ask's events and prints its figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from mentornet_devkit import profile_handlers


@pytest.mark.parametrize("service", profile_handlers.SERVICES)
async def test_it_prints_the_cpu_per_ask_of_each_service(
    service: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backend = {"data_dir": tmp_path, "database_url": ""}
    figures = await profile_handlers.measure(service, 4, 1, 2, backend, profile=False, count_calls=True)
    assert figures["dead_letters"] == 0  # every handler did its work on the events it was given
    assert figures["cpu_ms_per_ask"] > 0
    out = capsys.readouterr().out
    assert f"{service}: " in out and " CPU-ms per ask (4 asks, 2 events each, batches of 2 record(s)" in out
    assert " Python function calls per ask (cProfile)" in out


async def test_it_lists_the_statements_an_ask_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backend = {"data_dir": tmp_path, "database_url": ""}
    figures = await profile_handlers.measure(
        "profiles", 4, 1, 1, backend, profile=False, count_calls=False, count_statements=True
    )
    # profiles counts the ask in its participation: one transaction, the inbox claim and one upsert
    assert figures["statements_per_ask"] == 3.0
    out = capsys.readouterr().out
    assert "profiles: 3.0 SQL statements per ask" in out and "INSERT INTO participation" in out
