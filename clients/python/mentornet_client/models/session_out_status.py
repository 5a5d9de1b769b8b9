from typing import Literal

SessionOutStatus = Literal["cancelled", "completed", "declined", "expired", "no_show", "proposed", "scheduled"]

SESSION_OUT_STATUS_VALUES: set[SessionOutStatus] = {
    "cancelled",
    "completed",
    "declined",
    "expired",
    "no_show",
    "proposed",
    "scheduled",
}


def check_session_out_status(value: str) -> SessionOutStatus:
    if value in SESSION_OUT_STATUS_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {SESSION_OUT_STATUS_VALUES!r}")
