from typing import Literal

ListAsksStatusType0 = Literal["cancelled", "completed", "expired", "open", "proposed", "scheduled"]

LIST_ASKS_STATUS_TYPE_0_VALUES: set[ListAsksStatusType0] = {
    "cancelled",
    "completed",
    "expired",
    "open",
    "proposed",
    "scheduled",
}


def check_list_asks_status_type_0(value: str) -> ListAsksStatusType0:
    if value in LIST_ASKS_STATUS_TYPE_0_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {LIST_ASKS_STATUS_TYPE_0_VALUES!r}")
