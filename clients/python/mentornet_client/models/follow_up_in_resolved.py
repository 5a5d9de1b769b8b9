from typing import Literal

FollowUpInResolved = Literal["no", "partly", "yes"]

FOLLOW_UP_IN_RESOLVED_VALUES: set[FollowUpInResolved] = {
    "no",
    "partly",
    "yes",
}


def check_follow_up_in_resolved(value: str) -> FollowUpInResolved:
    if value in FOLLOW_UP_IN_RESOLVED_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {FOLLOW_UP_IN_RESOLVED_VALUES!r}")
