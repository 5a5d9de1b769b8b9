from typing import Literal

UserCreateRolesItem = Literal["member", "mentor", "org_admin"]

USER_CREATE_ROLES_ITEM_VALUES: set[UserCreateRolesItem] = {
    "member",
    "mentor",
    "org_admin",
}


def check_user_create_roles_item(value: str) -> UserCreateRolesItem:
    if value in USER_CREATE_ROLES_ITEM_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {USER_CREATE_ROLES_ITEM_VALUES!r}")
