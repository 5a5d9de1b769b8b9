from typing import Literal

PersonCardSeniorityType0 = Literal["executive", "junior", "lead", "mid", "senior"]

PERSON_CARD_SENIORITY_TYPE_0_VALUES: set[PersonCardSeniorityType0] = {
    "executive",
    "junior",
    "lead",
    "mid",
    "senior",
}


def check_person_card_seniority_type_0(value: str) -> PersonCardSeniorityType0:
    if value in PERSON_CARD_SENIORITY_TYPE_0_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {PERSON_CARD_SENIORITY_TYPE_0_VALUES!r}")
