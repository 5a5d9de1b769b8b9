from typing import Literal

UserRegisteredDataRolesItem = Literal["member", "mentor", "operator", "org_admin"]

USER_REGISTERED_DATA_ROLES_ITEM_VALUES: set[UserRegisteredDataRolesItem] = {
    "member",
    "mentor",
    "operator",
    "org_admin",
}


def check_user_registered_data_roles_item(value: str) -> UserRegisteredDataRolesItem:
    if value in USER_REGISTERED_DATA_ROLES_ITEM_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {USER_REGISTERED_DATA_ROLES_ITEM_VALUES!r}")
