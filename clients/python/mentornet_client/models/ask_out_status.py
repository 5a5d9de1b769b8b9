from typing import Literal

AskOutStatus = Literal["cancelled", "completed", "expired", "open", "proposed", "scheduled"]

ASK_OUT_STATUS_VALUES: set[AskOutStatus] = {
    "cancelled",
    "completed",
    "expired",
    "open",
    "proposed",
    "scheduled",
}


def check_ask_out_status(value: str) -> AskOutStatus:
    if value in ASK_OUT_STATUS_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {ASK_OUT_STATUS_VALUES!r}")
