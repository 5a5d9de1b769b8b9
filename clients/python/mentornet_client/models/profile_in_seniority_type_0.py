from typing import Literal

ProfileInSeniorityType0 = Literal["executive", "junior", "lead", "mid", "senior"]

PROFILE_IN_SENIORITY_TYPE_0_VALUES: set[ProfileInSeniorityType0] = {
    "executive",
    "junior",
    "lead",
    "mid",
    "senior",
}


def check_profile_in_seniority_type_0(value: str) -> ProfileInSeniorityType0:
    if value in PROFILE_IN_SENIORITY_TYPE_0_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {PROFILE_IN_SENIORITY_TYPE_0_VALUES!r}")
