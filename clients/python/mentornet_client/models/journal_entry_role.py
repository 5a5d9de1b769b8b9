from typing import Literal

JournalEntryRole = Literal["mentee", "mentor"]

JOURNAL_ENTRY_ROLE_VALUES: set[JournalEntryRole] = {
    "mentee",
    "mentor",
}


def check_journal_entry_role(value: str) -> JournalEntryRole:
    if value in JOURNAL_ENTRY_ROLE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {JOURNAL_ENTRY_ROLE_VALUES!r}")
