from typing import Literal

ProfileInVisibility = Literal["consortium", "org", "private"]

PROFILE_IN_VISIBILITY_VALUES: set[ProfileInVisibility] = {
    "consortium",
    "org",
    "private",
}


def check_profile_in_visibility(value: str) -> ProfileInVisibility:
    if value in PROFILE_IN_VISIBILITY_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {PROFILE_IN_VISIBILITY_VALUES!r}")
