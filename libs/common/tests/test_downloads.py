"""What people wrote stays text in the files they download (CSV injection, iCalendar line injection)."""

from __future__ import annotations

import csv
import io

from mentornet_common.downloads import csv_cell, csv_text, ical_text


def test_a_cell_a_spreadsheet_would_run_is_neutralized_and_numbers_stay_numbers() -> None:
    for attack in ('=HYPERLINK("https://evil.example","click")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
                   "\t=1", "\r=1"):  # fmt: skip
        assert csv_cell(attack) == "'" + attack
    assert csv_cell("How do I negotiate?") == "How do I negotiate?"
    assert (csv_cell(-3), csv_cell(4.5), csv_cell(None)) == (-3, 4.5, "")
    rows = list(csv.reader(io.StringIO(csv_text([["question", "balance"], ['=HYPERLINK("x")', -2]]))))
    assert rows == [["question", "balance"], ['\'=HYPERLINK("x")', "-2"]]


def test_no_control_character_reaches_an_icalendar_line() -> None:
    text = ical_text("A plan\rBEGIN:VALARM\r\nTRIGGER:-PT5M\nx\x00y\x1bz; a, b\\c\tok")
    assert "\r" not in text and "\n" not in text and "\x00" not in text and "\x1b" not in text
    assert text == "A plan\\nBEGIN:VALARM\\nTRIGGER:-PT5M\\nxyz\\; a\\, b\\\\c\tok"
