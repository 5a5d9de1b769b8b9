from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.mentor_card_seniority_type_0 import MentorCardSeniorityType0, check_mentor_card_seniority_type_0
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.availability_window import AvailabilityWindow
    from ..models.skill import Skill


T = TypeVar("T", bound="MentorCard")


@_attrs_define
class MentorCard:
    """What a mentor chose to share for matching: never email, never private fields.

    Attributes:
        display_name (str):
        headline (str | Unset):  Default: ''.
        bio (str | Unset):  Default: ''.
        skills (list[Skill] | Unset):
        languages (list[str] | Unset):
        timezone (str | Unset):  Default: 'UTC'.
        availability (list[AvailabilityWindow] | Unset):
        capacity_per_month (int | Unset):  Default: 0.
        open_to_reverse (bool | Unset): Open to mentoring people more senior than themself (reverse mentoring). Default:
            True.
        seniority (MentorCardSeniorityType0 | None | Unset):
    """

    display_name: str
    headline: str | Unset = ""
    bio: str | Unset = ""
    skills: list[Skill] | Unset = UNSET
    languages: list[str] | Unset = UNSET
    timezone: str | Unset = "UTC"
    availability: list[AvailabilityWindow] | Unset = UNSET
    capacity_per_month: int | Unset = 0
    open_to_reverse: bool | Unset = True
    seniority: MentorCardSeniorityType0 | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        display_name = self.display_name

        headline = self.headline

        bio = self.bio

        skills: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.skills, Unset):
            skills = []
            for skills_item_data in self.skills:
                skills_item = skills_item_data.to_dict()
                skills.append(skills_item)

        languages: list[str] | Unset = UNSET
        if not isinstance(self.languages, Unset):
            languages = self.languages

        timezone = self.timezone

        availability: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.availability, Unset):
            availability = []
            for availability_item_data in self.availability:
                availability_item = availability_item_data.to_dict()
                availability.append(availability_item)

        capacity_per_month = self.capacity_per_month

        open_to_reverse = self.open_to_reverse

        seniority: None | str | Unset
        if isinstance(self.seniority, Unset):
            seniority = UNSET
        elif isinstance(self.seniority, str):
            seniority = self.seniority
        else:
            seniority = self.seniority

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "display_name": display_name,
            }
        )
        if headline is not UNSET:
            field_dict["headline"] = headline
        if bio is not UNSET:
            field_dict["bio"] = bio
        if skills is not UNSET:
            field_dict["skills"] = skills
        if languages is not UNSET:
            field_dict["languages"] = languages
        if timezone is not UNSET:
            field_dict["timezone"] = timezone
        if availability is not UNSET:
            field_dict["availability"] = availability
        if capacity_per_month is not UNSET:
            field_dict["capacity_per_month"] = capacity_per_month
        if open_to_reverse is not UNSET:
            field_dict["open_to_reverse"] = open_to_reverse
        if seniority is not UNSET:
            field_dict["seniority"] = seniority

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.availability_window import AvailabilityWindow  # noqa: PLC0415
        from ..models.skill import Skill  # noqa: PLC0415

        d = dict(src_dict)
        display_name = d.pop("display_name")

        headline = d.pop("headline", UNSET)

        bio = d.pop("bio", UNSET)

        _skills = d.pop("skills", UNSET)
        skills: list[Skill] | Unset = UNSET
        if _skills is not UNSET:
            skills = []
            for skills_item_data in _skills:
                skills_item = Skill.from_dict(skills_item_data)

                skills.append(skills_item)

        languages = cast(list[str], d.pop("languages", UNSET))

        timezone = d.pop("timezone", UNSET)

        _availability = d.pop("availability", UNSET)
        availability: list[AvailabilityWindow] | Unset = UNSET
        if _availability is not UNSET:
            availability = []
            for availability_item_data in _availability:
                availability_item = AvailabilityWindow.from_dict(availability_item_data)

                availability.append(availability_item)

        capacity_per_month = d.pop("capacity_per_month", UNSET)

        open_to_reverse = d.pop("open_to_reverse", UNSET)

        def _parse_seniority(data: object) -> MentorCardSeniorityType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                seniority_type_0 = check_mentor_card_seniority_type_0(data)

                return seniority_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(MentorCardSeniorityType0 | None | Unset, data)

        seniority = _parse_seniority(d.pop("seniority", UNSET))

        mentor_card = cls(
            display_name=display_name,
            headline=headline,
            bio=bio,
            skills=skills,
            languages=languages,
            timezone=timezone,
            availability=availability,
            capacity_per_month=capacity_per_month,
            open_to_reverse=open_to_reverse,
            seniority=seniority,
        )

        mentor_card.additional_properties = d
        return mentor_card

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
