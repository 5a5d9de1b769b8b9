from typing import Literal

MentorPublishedDataScope = Literal["consortium", "org"]

MENTOR_PUBLISHED_DATA_SCOPE_VALUES: set[MentorPublishedDataScope] = {
    "consortium",
    "org",
}


def check_mentor_published_data_scope(value: str) -> MentorPublishedDataScope:
    if value in MENTOR_PUBLISHED_DATA_SCOPE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {MENTOR_PUBLISHED_DATA_SCOPE_VALUES!r}")
