from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.ask_out_scope import AskOutScope, check_ask_out_scope
from ..models.ask_out_status import AskOutStatus, check_ask_out_status

if TYPE_CHECKING:
    from ..models.proposal_out import ProposalOut


T = TypeVar("T", bound="AskOut")


@_attrs_define
class AskOut:
    """
    Attributes:
        id (str):
        status (AskOutStatus):
        status_reason (None | str):
        mentee_id (str):
        mentee_org_id (str):
        question (str):
        background (str):
        success_criteria (str):
        skills (list[str]):
        duration_minutes (int):
        scope (AskOutScope):
        languages (list[str]):
        created_at (datetime.datetime):
        proposals (list[ProposalOut]):
    """

    id: str
    status: AskOutStatus
    status_reason: None | str
    mentee_id: str
    mentee_org_id: str
    question: str
    background: str
    success_criteria: str
    skills: list[str]
    duration_minutes: int
    scope: AskOutScope
    languages: list[str]
    created_at: datetime.datetime
    proposals: list[ProposalOut]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        status: str = self.status

        status_reason: None | str
        status_reason = self.status_reason

        mentee_id = self.mentee_id

        mentee_org_id = self.mentee_org_id

        question = self.question

        background = self.background

        success_criteria = self.success_criteria

        skills = self.skills

        duration_minutes = self.duration_minutes

        scope: str = self.scope

        languages = self.languages

        created_at = self.created_at.isoformat()

        proposals = []
        for proposals_item_data in self.proposals:
            proposals_item = proposals_item_data.to_dict()
            proposals.append(proposals_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "status": status,
                "status_reason": status_reason,
                "mentee_id": mentee_id,
                "mentee_org_id": mentee_org_id,
                "question": question,
                "background": background,
                "success_criteria": success_criteria,
                "skills": skills,
                "duration_minutes": duration_minutes,
                "scope": scope,
                "languages": languages,
                "created_at": created_at,
                "proposals": proposals,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.proposal_out import ProposalOut  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        status = check_ask_out_status(d.pop("status"))

        def _parse_status_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        status_reason = _parse_status_reason(d.pop("status_reason"))

        mentee_id = d.pop("mentee_id")

        mentee_org_id = d.pop("mentee_org_id")

        question = d.pop("question")

        background = d.pop("background")

        success_criteria = d.pop("success_criteria")

        skills = cast(list[str], d.pop("skills"))

        duration_minutes = d.pop("duration_minutes")

        scope = check_ask_out_scope(d.pop("scope"))

        languages = cast(list[str], d.pop("languages"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        proposals = []
        _proposals = d.pop("proposals")
        for proposals_item_data in _proposals:
            proposals_item = ProposalOut.from_dict(proposals_item_data)

            proposals.append(proposals_item)

        ask_out = cls(
            id=id,
            status=status,
            status_reason=status_reason,
            mentee_id=mentee_id,
            mentee_org_id=mentee_org_id,
            question=question,
            background=background,
            success_criteria=success_criteria,
            skills=skills,
            duration_minutes=duration_minutes,
            scope=scope,
            languages=languages,
            created_at=created_at,
            proposals=proposals,
        )

        ask_out.additional_properties = d
        return ask_out

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
