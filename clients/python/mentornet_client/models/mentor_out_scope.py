from typing import Literal

MentorOutScope = Literal["consortium", "org"]

MENTOR_OUT_SCOPE_VALUES: set[MentorOutScope] = {
    "consortium",
    "org",
}


def check_mentor_out_scope(value: str) -> MentorOutScope:
    if value in MENTOR_OUT_SCOPE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {MENTOR_OUT_SCOPE_VALUES!r}")
