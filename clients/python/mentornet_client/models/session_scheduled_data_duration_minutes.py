from typing import Literal

SessionScheduledDataDurationMinutes = Literal[15, 30, 45, 60]

SESSION_SCHEDULED_DATA_DURATION_MINUTES_VALUES: set[SessionScheduledDataDurationMinutes] = {
    15,
    30,
    45,
    60,
}


def check_session_scheduled_data_duration_minutes(value: int) -> SessionScheduledDataDurationMinutes:
    if value in SESSION_SCHEDULED_DATA_DURATION_MINUTES_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {SESSION_SCHEDULED_DATA_DURATION_MINUTES_VALUES!r}")
