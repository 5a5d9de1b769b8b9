from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="AcceptIn")


@_attrs_define
class AcceptIn:
    """
    Attributes:
        start_at (datetime.datetime):
    """

    start_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        start_at = self.start_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "start_at": start_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        start_at = datetime.datetime.fromisoformat(d.pop("start_at"))

        accept_in = cls(
            start_at=start_at,
        )

        return accept_in
