from typing import Literal

AskInDurationMinutes = Literal[15, 30, 45, 60]

ASK_IN_DURATION_MINUTES_VALUES: set[AskInDurationMinutes] = {
    15,
    30,
    45,
    60,
}


def check_ask_in_duration_minutes(value: int) -> AskInDurationMinutes:
    if value in ASK_IN_DURATION_MINUTES_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {ASK_IN_DURATION_MINUTES_VALUES!r}")
