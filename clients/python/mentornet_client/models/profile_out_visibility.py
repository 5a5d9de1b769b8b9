from typing import Literal

ProfileOutVisibility = Literal["consortium", "org", "private"]

PROFILE_OUT_VISIBILITY_VALUES: set[ProfileOutVisibility] = {
    "consortium",
    "org",
    "private",
}


def check_profile_out_visibility(value: str) -> ProfileOutVisibility:
    if value in PROFILE_OUT_VISIBILITY_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {PROFILE_OUT_VISIBILITY_VALUES!r}")
