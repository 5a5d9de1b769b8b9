from typing import Literal

FeedbackInResolved = Literal["no", "partly", "yes"]

FEEDBACK_IN_RESOLVED_VALUES: set[FeedbackInResolved] = {
    "no",
    "partly",
    "yes",
}


def check_feedback_in_resolved(value: str) -> FeedbackInResolved:
    if value in FEEDBACK_IN_RESOLVED_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {FEEDBACK_IN_RESOLVED_VALUES!r}")
