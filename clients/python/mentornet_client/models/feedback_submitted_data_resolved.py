from typing import Literal

FeedbackSubmittedDataResolved = Literal["no", "partly", "yes"]

FEEDBACK_SUBMITTED_DATA_RESOLVED_VALUES: set[FeedbackSubmittedDataResolved] = {
    "no",
    "partly",
    "yes",
}


def check_feedback_submitted_data_resolved(value: str) -> FeedbackSubmittedDataResolved:
    if value in FEEDBACK_SUBMITTED_DATA_RESOLVED_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {FEEDBACK_SUBMITTED_DATA_RESOLVED_VALUES!r}")
