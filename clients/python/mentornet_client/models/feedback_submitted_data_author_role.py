from typing import Literal

FeedbackSubmittedDataAuthorRole = Literal["mentee", "mentor"]

FEEDBACK_SUBMITTED_DATA_AUTHOR_ROLE_VALUES: set[FeedbackSubmittedDataAuthorRole] = {
    "mentee",
    "mentor",
}


def check_feedback_submitted_data_author_role(value: str) -> FeedbackSubmittedDataAuthorRole:
    if value in FEEDBACK_SUBMITTED_DATA_AUTHOR_ROLE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {FEEDBACK_SUBMITTED_DATA_AUTHOR_ROLE_VALUES!r}")
