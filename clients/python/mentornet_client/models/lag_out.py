from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="LagOut")


@_attrs_define
class LagOut:
    """
    Attributes:
        group (str):
        topic (str):
        partition (int):
        committed (int): The group's committed offset (0 when it has committed none).
        end (int): The partition's end offset.
        lag (int): Records the group has yet to handle (end minus committed).
    """

    group: str
    topic: str
    partition: int
    committed: int
    end: int
    lag: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        group = self.group

        topic = self.topic

        partition = self.partition

        committed = self.committed

        end = self.end

        lag = self.lag

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "group": group,
                "topic": topic,
                "partition": partition,
                "committed": committed,
                "end": end,
                "lag": lag,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        group = d.pop("group")

        topic = d.pop("topic")

        partition = d.pop("partition")

        committed = d.pop("committed")

        end = d.pop("end")

        lag = d.pop("lag")

        lag_out = cls(
            group=group,
            topic=topic,
            partition=partition,
            committed=committed,
            end=end,
            lag=lag,
        )

        lag_out.additional_properties = d
        return lag_out

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
