from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="RescheduleIn")


@_attrs_define
class RescheduleIn:
    """
    Attributes:
        start_at (datetime.datetime):
        reason (str | Unset):  Default: ''.
    """

    start_at: datetime.datetime
    reason: str | Unset = ""

    def to_dict(self) -> dict[str, Any]:
        start_at = self.start_at.isoformat()

        reason = self.reason

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "start_at": start_at,
            }
        )
        if reason is not UNSET:
            field_dict["reason"] = reason

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        start_at = datetime.datetime.fromisoformat(d.pop("start_at"))

        reason = d.pop("reason", UNSET)

        reschedule_in = cls(
            start_at=start_at,
            reason=reason,
        )

        return reschedule_in
