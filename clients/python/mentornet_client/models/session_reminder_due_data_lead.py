from typing import Literal

SessionReminderDueDataLead = Literal["1h", "24h"]

SESSION_REMINDER_DUE_DATA_LEAD_VALUES: set[SessionReminderDueDataLead] = {
    "1h",
    "24h",
}


def check_session_reminder_due_data_lead(value: str) -> SessionReminderDueDataLead:
    if value in SESSION_REMINDER_DUE_DATA_LEAD_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {SESSION_REMINDER_DUE_DATA_LEAD_VALUES!r}")
