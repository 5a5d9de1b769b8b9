from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.mentor_out_scope import MentorOutScope, check_mentor_out_scope
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.mentor_out_skills_item import MentorOutSkillsItem


T = TypeVar("T", bound="MentorOut")


@_attrs_define
class MentorOut:
    """A mentor in the directory, as the caller's org may see them.

    Attributes:
        mentor_id (str):
        org_id (str):
        scope (MentorOutScope):
        display_name (str):
        headline (str):
        skills (list[MentorOutSkillsItem]):
        languages (list[str]):
        timezone (str):
        capacity_per_month (int):
        open_to_reverse (bool):
        seniority (None | str | Unset):
    """

    mentor_id: str
    org_id: str
    scope: MentorOutScope
    display_name: str
    headline: str
    skills: list[MentorOutSkillsItem]
    languages: list[str]
    timezone: str
    capacity_per_month: int
    open_to_reverse: bool
    seniority: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        mentor_id = self.mentor_id

        org_id = self.org_id

        scope: str = self.scope

        display_name = self.display_name

        headline = self.headline

        skills = []
        for skills_item_data in self.skills:
            skills_item = skills_item_data.to_dict()
            skills.append(skills_item)

        languages = self.languages

        timezone = self.timezone

        capacity_per_month = self.capacity_per_month

        open_to_reverse = self.open_to_reverse

        seniority: None | str | Unset
        if isinstance(self.seniority, Unset):
            seniority = UNSET
        else:
            seniority = self.seniority

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "mentor_id": mentor_id,
                "org_id": org_id,
                "scope": scope,
                "display_name": display_name,
                "headline": headline,
                "skills": skills,
                "languages": languages,
                "timezone": timezone,
                "capacity_per_month": capacity_per_month,
                "open_to_reverse": open_to_reverse,
            }
        )
        if seniority is not UNSET:
            field_dict["seniority"] = seniority

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.mentor_out_skills_item import MentorOutSkillsItem  # noqa: PLC0415

        d = dict(src_dict)
        mentor_id = d.pop("mentor_id")

        org_id = d.pop("org_id")

        scope = check_mentor_out_scope(d.pop("scope"))

        display_name = d.pop("display_name")

        headline = d.pop("headline")

        skills = []
        _skills = d.pop("skills")
        for skills_item_data in _skills:
            skills_item = MentorOutSkillsItem.from_dict(skills_item_data)

            skills.append(skills_item)

        languages = cast(list[str], d.pop("languages"))

        timezone = d.pop("timezone")

        capacity_per_month = d.pop("capacity_per_month")

        open_to_reverse = d.pop("open_to_reverse")

        def _parse_seniority(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        seniority = _parse_seniority(d.pop("seniority", UNSET))

        mentor_out = cls(
            mentor_id=mentor_id,
            org_id=org_id,
            scope=scope,
            display_name=display_name,
            headline=headline,
            skills=skills,
            languages=languages,
            timezone=timezone,
            capacity_per_month=capacity_per_month,
            open_to_reverse=open_to_reverse,
            seniority=seniority,
        )

        mentor_out.additional_properties = d
        return mentor_out

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
