from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="BodyFinishAuthorization")


@_attrs_define
class BodyFinishAuthorization:
    """
    Attributes:
        request_id (str):
        csrf_token (str):
        username (str):
        password (str):
    """

    request_id: str
    csrf_token: str
    username: str
    password: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        request_id = self.request_id

        csrf_token = self.csrf_token

        username = self.username

        password = self.password

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "request_id": request_id,
                "csrf_token": csrf_token,
                "username": username,
                "password": password,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        request_id = d.pop("request_id")

        csrf_token = d.pop("csrf_token")

        username = d.pop("username")

        password = d.pop("password")

        body_finish_authorization = cls(
            request_id=request_id,
            csrf_token=csrf_token,
            username=username,
            password=password,
        )

        body_finish_authorization.additional_properties = d
        return body_finish_authorization

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
