from typing import Literal

AskCreatedDataScope = Literal["consortium", "org"]

ASK_CREATED_DATA_SCOPE_VALUES: set[AskCreatedDataScope] = {
    "consortium",
    "org",
}


def check_ask_created_data_scope(value: str) -> AskCreatedDataScope:
    if value in ASK_CREATED_DATA_SCOPE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {ASK_CREATED_DATA_SCOPE_VALUES!r}")
