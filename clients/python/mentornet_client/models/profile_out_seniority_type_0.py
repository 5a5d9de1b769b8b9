from typing import Literal

ProfileOutSeniorityType0 = Literal["executive", "junior", "lead", "mid", "senior"]

PROFILE_OUT_SENIORITY_TYPE_0_VALUES: set[ProfileOutSeniorityType0] = {
    "executive",
    "junior",
    "lead",
    "mid",
    "senior",
}


def check_profile_out_seniority_type_0(value: str) -> ProfileOutSeniorityType0:
    if value in PROFILE_OUT_SENIORITY_TYPE_0_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {PROFILE_OUT_SENIORITY_TYPE_0_VALUES!r}")
