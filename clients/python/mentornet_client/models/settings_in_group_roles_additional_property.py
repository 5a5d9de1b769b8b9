from typing import Literal

SettingsInGroupRolesAdditionalProperty = Literal["member", "mentor", "org_admin"]

SETTINGS_IN_GROUP_ROLES_ADDITIONAL_PROPERTY_VALUES: set[SettingsInGroupRolesAdditionalProperty] = {
    "member",
    "mentor",
    "org_admin",
}


def check_settings_in_group_roles_additional_property(value: str) -> SettingsInGroupRolesAdditionalProperty:
    if value in SETTINGS_IN_GROUP_ROLES_ADDITIONAL_PROPERTY_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {SETTINGS_IN_GROUP_ROLES_ADDITIONAL_PROPERTY_VALUES!r}"
    )
