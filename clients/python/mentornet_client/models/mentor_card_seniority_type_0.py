from typing import Literal

MentorCardSeniorityType0 = Literal["executive", "junior", "lead", "mid", "senior"]

MENTOR_CARD_SENIORITY_TYPE_0_VALUES: set[MentorCardSeniorityType0] = {
    "executive",
    "junior",
    "lead",
    "mid",
    "senior",
}


def check_mentor_card_seniority_type_0(value: str) -> MentorCardSeniorityType0:
    if value in MENTOR_CARD_SENIORITY_TYPE_0_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {MENTOR_CARD_SENIORITY_TYPE_0_VALUES!r}")
