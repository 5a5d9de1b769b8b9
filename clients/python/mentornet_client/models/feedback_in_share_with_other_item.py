from typing import Literal

FeedbackInShareWithOtherItem = Literal["comment", "learned", "preparation", "rating", "resolved"]

FEEDBACK_IN_SHARE_WITH_OTHER_ITEM_VALUES: set[FeedbackInShareWithOtherItem] = {
    "comment",
    "learned",
    "preparation",
    "rating",
    "resolved",
}


def check_feedback_in_share_with_other_item(value: str) -> FeedbackInShareWithOtherItem:
    if value in FEEDBACK_IN_SHARE_WITH_OTHER_ITEM_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {FEEDBACK_IN_SHARE_WITH_OTHER_ITEM_VALUES!r}")
