"""``make profile-reads`` fills the stores it times and answers every request."""

from __future__ import annotations

from pathlib import Path

import pytest

from mentornet_devkit import profile_reads


async def test_the_impact_figures_are_timed_on_a_store_that_holds_years(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = await profile_reads.measure("feedback", 200, 1, {"data_dir": tmp_path, "database_url": ""})
    # Five years of sessions: this quarter holds some of them, not all.
    for what in ("impact, the operator", "impact, the org's admin"):
        assert 0 < answers[what]["sessions_completed"] < 200
        assert answers[what]["average_rating"] == 4.0
    assert "impact, the operator" in capsys.readouterr().out


async def test_the_directory_is_timed_with_the_mentors_it_was_filled_with(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = await profile_reads.measure("matching", 1_200, 1, {"data_dir": tmp_path, "database_url": ""})
    first = answers["directory, first page"]["items"]
    assert len(first) == 50 and [m["display_name"] for m in first] == sorted(m["display_name"] for m in first)
    assert len(answers["directory, offset 1,000"]["items"]) == 50
    skilled = answers["directory, a skill"]["items"]
    assert skilled and all(profile_reads.SKILLS[0] in [s["name"] for s in m["skills"]] for m in skilled)
    assert answers["directory, a skill no one has"] == {"items": [], "next_offset": None}
    assert "directory, first page" in capsys.readouterr().out
