from typing import Literal

JournalEntryKind = Literal["ask", "session"]

JOURNAL_ENTRY_KIND_VALUES: set[JournalEntryKind] = {
    "ask",
    "session",
}


def check_journal_entry_kind(value: str) -> JournalEntryKind:
    if value in JOURNAL_ENTRY_KIND_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {JOURNAL_ENTRY_KIND_VALUES!r}")
