from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.profile_out_seniority_type_0 import ProfileOutSeniorityType0, check_profile_out_seniority_type_0
from ..models.profile_out_visibility import ProfileOutVisibility, check_profile_out_visibility
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.availability_window import AvailabilityWindow
    from ..models.mentoring_out import MentoringOut
    from ..models.skill import Skill


T = TypeVar("T", bound="ProfileOut")


@_attrs_define
class ProfileOut:
    """The whole profile: the person themself and their colleagues see this.

    Attributes:
        user_id (str):
        org_id (str):
        display_name (str):
        headline (str):
        bio (str):
        skills (list[Skill]):
        languages (list[str]):
        timezone (str):
        availability (list[AvailabilityWindow]):
        seniority (None | ProfileOutSeniorityType0):
        mentoring (MentoringOut):
        visibility (ProfileOutVisibility):
        updated_at (datetime.datetime):
        self_identified_groups (list[str] | None | Unset): Only in the person's own view (null for colleagues).
        group_statistics_consent (bool | None | Unset):
    """

    user_id: str
    org_id: str
    display_name: str
    headline: str
    bio: str
    skills: list[Skill]
    languages: list[str]
    timezone: str
    availability: list[AvailabilityWindow]
    seniority: None | ProfileOutSeniorityType0
    mentoring: MentoringOut
    visibility: ProfileOutVisibility
    updated_at: datetime.datetime
    self_identified_groups: list[str] | None | Unset = UNSET
    group_statistics_consent: bool | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        user_id = self.user_id

        org_id = self.org_id

        display_name = self.display_name

        headline = self.headline

        bio = self.bio

        skills = []
        for skills_item_data in self.skills:
            skills_item = skills_item_data.to_dict()
            skills.append(skills_item)

        languages = self.languages

        timezone = self.timezone

        availability = []
        for availability_item_data in self.availability:
            availability_item = availability_item_data.to_dict()
            availability.append(availability_item)

        seniority: None | str
        if isinstance(self.seniority, str):
            seniority = self.seniority
        else:
            seniority = self.seniority

        mentoring = self.mentoring.to_dict()

        visibility: str = self.visibility

        updated_at = self.updated_at.isoformat()

        self_identified_groups: list[str] | None | Unset
        if isinstance(self.self_identified_groups, Unset):
            self_identified_groups = UNSET
        elif isinstance(self.self_identified_groups, list):
            self_identified_groups = self.self_identified_groups

        else:
            self_identified_groups = self.self_identified_groups

        group_statistics_consent: bool | None | Unset
        if isinstance(self.group_statistics_consent, Unset):
            group_statistics_consent = UNSET
        else:
            group_statistics_consent = self.group_statistics_consent

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "user_id": user_id,
                "org_id": org_id,
                "display_name": display_name,
                "headline": headline,
                "bio": bio,
                "skills": skills,
                "languages": languages,
                "timezone": timezone,
                "availability": availability,
                "seniority": seniority,
                "mentoring": mentoring,
                "visibility": visibility,
                "updated_at": updated_at,
            }
        )
        if self_identified_groups is not UNSET:
            field_dict["self_identified_groups"] = self_identified_groups
        if group_statistics_consent is not UNSET:
            field_dict["group_statistics_consent"] = group_statistics_consent

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.availability_window import AvailabilityWindow  # noqa: PLC0415
        from ..models.mentoring_out import MentoringOut  # noqa: PLC0415
        from ..models.skill import Skill  # noqa: PLC0415

        d = dict(src_dict)
        user_id = d.pop("user_id")

        org_id = d.pop("org_id")

        display_name = d.pop("display_name")

        headline = d.pop("headline")

        bio = d.pop("bio")

        skills = []
        _skills = d.pop("skills")
        for skills_item_data in _skills:
            skills_item = Skill.from_dict(skills_item_data)

            skills.append(skills_item)

        languages = cast(list[str], d.pop("languages"))

        timezone = d.pop("timezone")

        availability = []
        _availability = d.pop("availability")
        for availability_item_data in _availability:
            availability_item = AvailabilityWindow.from_dict(availability_item_data)

            availability.append(availability_item)

        def _parse_seniority(data: object) -> None | ProfileOutSeniorityType0:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                seniority_type_0 = check_profile_out_seniority_type_0(data)

                return seniority_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ProfileOutSeniorityType0, data)

        seniority = _parse_seniority(d.pop("seniority"))

        mentoring = MentoringOut.from_dict(d.pop("mentoring"))

        visibility = check_profile_out_visibility(d.pop("visibility"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        def _parse_self_identified_groups(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                self_identified_groups_type_0 = cast(list[str], data)

                return self_identified_groups_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        self_identified_groups = _parse_self_identified_groups(d.pop("self_identified_groups", UNSET))

        def _parse_group_statistics_consent(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        group_statistics_consent = _parse_group_statistics_consent(d.pop("group_statistics_consent", UNSET))

        profile_out = cls(
            user_id=user_id,
            org_id=org_id,
            display_name=display_name,
            headline=headline,
            bio=bio,
            skills=skills,
            languages=languages,
            timezone=timezone,
            availability=availability,
            seniority=seniority,
            mentoring=mentoring,
            visibility=visibility,
            updated_at=updated_at,
            self_identified_groups=self_identified_groups,
            group_statistics_consent=group_statistics_consent,
        )

        profile_out.additional_properties = d
        return profile_out

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
