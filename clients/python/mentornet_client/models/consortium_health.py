from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.service_health import ServiceHealth


T = TypeVar("T", bound="ConsortiumHealth")


@_attrs_define
class ConsortiumHealth:
    """
    Attributes:
        status (str): `ready` when every service is, else `not ready`.
        services (list[ServiceHealth]):
    """

    status: str
    services: list[ServiceHealth]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        status = self.status

        services = []
        for services_item_data in self.services:
            services_item = services_item_data.to_dict()
            services.append(services_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "status": status,
                "services": services,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.service_health import ServiceHealth  # noqa: PLC0415

        d = dict(src_dict)
        status = d.pop("status")

        services = []
        _services = d.pop("services")
        for services_item_data in _services:
            services_item = ServiceHealth.from_dict(services_item_data)

            services.append(services_item)

        consortium_health = cls(
            status=status,
            services=services,
        )

        consortium_health.additional_properties = d
        return consortium_health

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
