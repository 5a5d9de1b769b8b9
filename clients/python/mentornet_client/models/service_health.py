from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.service_health_checks import ServiceHealthChecks


T = TypeVar("T", bound="ServiceHealth")


@_attrs_define
class ServiceHealth:
    """
    Attributes:
        service (str):
        status (str): `ready`, `not ready` (a check failed) or `unreachable`.
        checks (ServiceHealthChecks): What the service's /readyz says of each check (`store`, `broker`): `ok` or why
            not; for an unreachable service, what went wrong reaching it.
    """

    service: str
    status: str
    checks: ServiceHealthChecks
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        service = self.service

        status = self.status

        checks = self.checks.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "service": service,
                "status": status,
                "checks": checks,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.service_health_checks import ServiceHealthChecks  # noqa: PLC0415

        d = dict(src_dict)
        service = d.pop("service")

        status = d.pop("status")

        checks = ServiceHealthChecks.from_dict(d.pop("checks"))

        service_health = cls(
            service=service,
            status=status,
            checks=checks,
        )

        service_health.additional_properties = d
        return service_health

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
