from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="OutboxOut")


@_attrs_define
class OutboxOut:
    """
    Attributes:
        tenant (str):
        unsent (int): Events written but not yet acknowledged by the broker.
        oldest_unsent_at (datetime.datetime | None): When the oldest of them was written.
        oldest_age_s (float | None): How long ago, in seconds.
    """

    tenant: str
    unsent: int
    oldest_unsent_at: datetime.datetime | None
    oldest_age_s: float | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        tenant = self.tenant

        unsent = self.unsent

        oldest_unsent_at: None | str
        if isinstance(self.oldest_unsent_at, datetime.datetime):
            oldest_unsent_at = self.oldest_unsent_at.isoformat()
        else:
            oldest_unsent_at = self.oldest_unsent_at

        oldest_age_s: float | None
        oldest_age_s = self.oldest_age_s

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "tenant": tenant,
                "unsent": unsent,
                "oldest_unsent_at": oldest_unsent_at,
                "oldest_age_s": oldest_age_s,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        tenant = d.pop("tenant")

        unsent = d.pop("unsent")

        def _parse_oldest_unsent_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                oldest_unsent_at_type_0 = datetime.datetime.fromisoformat(data)

                return oldest_unsent_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        oldest_unsent_at = _parse_oldest_unsent_at(d.pop("oldest_unsent_at"))

        def _parse_oldest_age_s(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        oldest_age_s = _parse_oldest_age_s(d.pop("oldest_age_s"))

        outbox_out = cls(
            tenant=tenant,
            unsent=unsent,
            oldest_unsent_at=oldest_unsent_at,
            oldest_age_s=oldest_age_s,
        )

        outbox_out.additional_properties = d
        return outbox_out

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
