from typing import Literal

ProfileSharedDataScope = Literal["consortium", "org"]

PROFILE_SHARED_DATA_SCOPE_VALUES: set[ProfileSharedDataScope] = {
    "consortium",
    "org",
}


def check_profile_shared_data_scope(value: str) -> ProfileSharedDataScope:
    if value in PROFILE_SHARED_DATA_SCOPE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {PROFILE_SHARED_DATA_SCOPE_VALUES!r}")
