from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ProposalOut")


@_attrs_define
class ProposalOut:
    """
    Attributes:
        id (str):
        mentor_id (str):
        mentor_org_id (str):
        score (float):
        reasons (list[str]):
        status (str):
        proposed_at (datetime.datetime):
        expires_at (datetime.datetime | None | Unset):
        reverse_mentoring (bool | Unset):  Default: False.
    """

    id: str
    mentor_id: str
    mentor_org_id: str
    score: float
    reasons: list[str]
    status: str
    proposed_at: datetime.datetime
    expires_at: datetime.datetime | None | Unset = UNSET
    reverse_mentoring: bool | Unset = False
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        mentor_id = self.mentor_id

        mentor_org_id = self.mentor_org_id

        score = self.score

        reasons = self.reasons

        status = self.status

        proposed_at = self.proposed_at.isoformat()

        expires_at: None | str | Unset
        if isinstance(self.expires_at, Unset):
            expires_at = UNSET
        elif isinstance(self.expires_at, datetime.datetime):
            expires_at = self.expires_at.isoformat()
        else:
            expires_at = self.expires_at

        reverse_mentoring = self.reverse_mentoring

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "mentor_id": mentor_id,
                "mentor_org_id": mentor_org_id,
                "score": score,
                "reasons": reasons,
                "status": status,
                "proposed_at": proposed_at,
            }
        )
        if expires_at is not UNSET:
            field_dict["expires_at"] = expires_at
        if reverse_mentoring is not UNSET:
            field_dict["reverse_mentoring"] = reverse_mentoring

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        mentor_id = d.pop("mentor_id")

        mentor_org_id = d.pop("mentor_org_id")

        score = d.pop("score")

        reasons = cast(list[str], d.pop("reasons"))

        status = d.pop("status")

        proposed_at = datetime.datetime.fromisoformat(d.pop("proposed_at"))

        def _parse_expires_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                expires_at_type_0 = datetime.datetime.fromisoformat(data)

                return expires_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        expires_at = _parse_expires_at(d.pop("expires_at", UNSET))

        reverse_mentoring = d.pop("reverse_mentoring", UNSET)

        proposal_out = cls(
            id=id,
            mentor_id=mentor_id,
            mentor_org_id=mentor_org_id,
            score=score,
            reasons=reasons,
            status=status,
            proposed_at=proposed_at,
            expires_at=expires_at,
            reverse_mentoring=reverse_mentoring,
        )

        proposal_out.additional_properties = d
        return proposal_out

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
