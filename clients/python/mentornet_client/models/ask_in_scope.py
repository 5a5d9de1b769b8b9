from typing import Literal

AskInScope = Literal["consortium", "org"]

ASK_IN_SCOPE_VALUES: set[AskInScope] = {
    "consortium",
    "org",
}


def check_ask_in_scope(value: str) -> AskInScope:
    if value in ASK_IN_SCOPE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {ASK_IN_SCOPE_VALUES!r}")
