from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.outbox_out import OutboxOut


T = TypeVar("T", bound="OutboxList")


@_attrs_define
class OutboxList:
    """
    Attributes:
        service (str):
        unsent (int): Unsent events in the stores of this page.
        items (list[OutboxOut]):
        next_offset (int | None):
    """

    service: str
    unsent: int
    items: list[OutboxOut]
    next_offset: int | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        service = self.service

        unsent = self.unsent

        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)

        next_offset: int | None
        next_offset = self.next_offset

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "service": service,
                "unsent": unsent,
                "items": items,
                "next_offset": next_offset,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.outbox_out import OutboxOut  # noqa: PLC0415

        d = dict(src_dict)
        service = d.pop("service")

        unsent = d.pop("unsent")

        items = []
        _items = d.pop("items")
        for items_item_data in _items:
            items_item = OutboxOut.from_dict(items_item_data)

            items.append(items_item)

        def _parse_next_offset(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        next_offset = _parse_next_offset(d.pop("next_offset"))

        outbox_list = cls(
            service=service,
            unsent=unsent,
            items=items,
            next_offset=next_offset,
        )

        outbox_list.additional_properties = d
        return outbox_list

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
