from typing import Literal

MatchProposedDataDurationMinutes = Literal[15, 30, 45, 60]

MATCH_PROPOSED_DATA_DURATION_MINUTES_VALUES: set[MatchProposedDataDurationMinutes] = {
    15,
    30,
    45,
    60,
}


def check_match_proposed_data_duration_minutes(value: int) -> MatchProposedDataDurationMinutes:
    if value in MATCH_PROPOSED_DATA_DURATION_MINUTES_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {MATCH_PROPOSED_DATA_DURATION_MINUTES_VALUES!r}")
