from typing import Literal

AskOutScope = Literal["consortium", "org"]

ASK_OUT_SCOPE_VALUES: set[AskOutScope] = {
    "consortium",
    "org",
}


def check_ask_out_scope(value: str) -> AskOutScope:
    if value in ASK_OUT_SCOPE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {ASK_OUT_SCOPE_VALUES!r}")
