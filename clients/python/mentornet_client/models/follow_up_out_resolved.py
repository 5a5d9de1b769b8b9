from typing import Literal

FollowUpOutResolved = Literal["no", "partly", "yes"]

FOLLOW_UP_OUT_RESOLVED_VALUES: set[FollowUpOutResolved] = {
    "no",
    "partly",
    "yes",
}


def check_follow_up_out_resolved(value: str) -> FollowUpOutResolved:
    if value in FOLLOW_UP_OUT_RESOLVED_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {FOLLOW_UP_OUT_RESOLVED_VALUES!r}")
