from typing import Literal

FollowUpOutRole = Literal["mentee", "mentor"]

FOLLOW_UP_OUT_ROLE_VALUES: set[FollowUpOutRole] = {
    "mentee",
    "mentor",
}


def check_follow_up_out_role(value: str) -> FollowUpOutRole:
    if value in FOLLOW_UP_OUT_ROLE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {FOLLOW_UP_OUT_ROLE_VALUES!r}")
