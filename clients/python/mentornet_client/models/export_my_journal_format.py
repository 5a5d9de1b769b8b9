from typing import Literal

ExportMyJournalFormat = Literal["csv", "markdown"]

EXPORT_MY_JOURNAL_FORMAT_VALUES: set[ExportMyJournalFormat] = {
    "csv",
    "markdown",
}


def check_export_my_journal_format(value: str) -> ExportMyJournalFormat:
    if value in EXPORT_MY_JOURNAL_FORMAT_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {EXPORT_MY_JOURNAL_FORMAT_VALUES!r}")
