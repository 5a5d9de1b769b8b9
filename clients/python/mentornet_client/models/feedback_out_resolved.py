from typing import Literal

FeedbackOutResolved = Literal["no", "partly", "yes"]

FEEDBACK_OUT_RESOLVED_VALUES: set[FeedbackOutResolved] = {
    "no",
    "partly",
    "yes",
}


def check_feedback_out_resolved(value: str) -> FeedbackOutResolved:
    if value in FEEDBACK_OUT_RESOLVED_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {FEEDBACK_OUT_RESOLVED_VALUES!r}")
