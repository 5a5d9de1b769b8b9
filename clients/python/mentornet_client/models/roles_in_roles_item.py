from typing import Literal

RolesInRolesItem = Literal["member", "mentor", "org_admin"]

ROLES_IN_ROLES_ITEM_VALUES: set[RolesInRolesItem] = {
    "member",
    "mentor",
    "org_admin",
}


def check_roles_in_roles_item(value: str) -> RolesInRolesItem:
    if value in ROLES_IN_ROLES_ITEM_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {ROLES_IN_ROLES_ITEM_VALUES!r}")
