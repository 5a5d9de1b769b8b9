from typing import Literal

AskCreatedDataDurationMinutes = Literal[15, 30, 45, 60]

ASK_CREATED_DATA_DURATION_MINUTES_VALUES: set[AskCreatedDataDurationMinutes] = {
    15,
    30,
    45,
    60,
}


def check_ask_created_data_duration_minutes(value: int) -> AskCreatedDataDurationMinutes:
    if value in ASK_CREATED_DATA_DURATION_MINUTES_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {ASK_CREATED_DATA_DURATION_MINUTES_VALUES!r}")
