from typing import Literal

SessionRescheduledDataDurationMinutes = Literal[15, 30, 45, 60]

SESSION_RESCHEDULED_DATA_DURATION_MINUTES_VALUES: set[SessionRescheduledDataDurationMinutes] = {
    15,
    30,
    45,
    60,
}


def check_session_rescheduled_data_duration_minutes(value: int) -> SessionRescheduledDataDurationMinutes:
    if value in SESSION_RESCHEDULED_DATA_DURATION_MINUTES_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {SESSION_RESCHEDULED_DATA_DURATION_MINUTES_VALUES!r}")
