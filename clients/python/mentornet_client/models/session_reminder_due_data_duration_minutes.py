from typing import Literal

SessionReminderDueDataDurationMinutes = Literal[15, 30, 45, 60]

SESSION_REMINDER_DUE_DATA_DURATION_MINUTES_VALUES: set[SessionReminderDueDataDurationMinutes] = {
    15,
    30,
    45,
    60,
}


def check_session_reminder_due_data_duration_minutes(value: int) -> SessionReminderDueDataDurationMinutes:
    if value in SESSION_REMINDER_DUE_DATA_DURATION_MINUTES_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {SESSION_REMINDER_DUE_DATA_DURATION_MINUTES_VALUES!r}"
    )
