from typing import Literal

FollowUpRecordedDataResolved = Literal["no", "partly", "yes"]

FOLLOW_UP_RECORDED_DATA_RESOLVED_VALUES: set[FollowUpRecordedDataResolved] = {
    "no",
    "partly",
    "yes",
}


def check_follow_up_recorded_data_resolved(value: str) -> FollowUpRecordedDataResolved:
    if value in FOLLOW_UP_RECORDED_DATA_RESOLVED_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {FOLLOW_UP_RECORDED_DATA_RESOLVED_VALUES!r}")
