from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.profile_in_seniority_type_0 import ProfileInSeniorityType0, check_profile_in_seniority_type_0
from ..models.profile_in_visibility import ProfileInVisibility, check_profile_in_visibility
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.mentoring_in import MentoringIn
    from ..models.skill_in import SkillIn
    from ..models.window_in import WindowIn


T = TypeVar("T", bound="ProfileIn")


@_attrs_define
class ProfileIn:
    """``PUT /v1/profiles/me``: the whole profile, replaced.

    Attributes:
        display_name (str):
        headline (str | Unset):  Default: ''.
        bio (str | Unset):  Default: ''.
        skills (list[SkillIn] | Unset):
        languages (list[str] | Unset): BCP 47 codes: en, de, pt-BR
        timezone (str | Unset): An IANA time zone, e.g. Europe/Berlin. Default: 'UTC'.
        availability (list[WindowIn] | Unset):
        seniority (None | ProfileInSeniorityType0 | Unset): Optional career stage (junior … executive). Never a
            requirement for matching: it only lets a proposal say when it is reverse mentoring.
        mentoring (MentoringIn | Unset):
        visibility (ProfileInVisibility | Unset):  Default: 'org'.
        self_identified_groups (list[str] | Unset): Optional, in the person's own words. Never shown to anyone else and
            never published; counted only in participation figures inside their org, and only with consent.
        group_statistics_consent (bool | Unset): Consent to count self_identified_groups in participation figures.
            Default: False.
    """

    display_name: str
    headline: str | Unset = ""
    bio: str | Unset = ""
    skills: list[SkillIn] | Unset = UNSET
    languages: list[str] | Unset = UNSET
    timezone: str | Unset = "UTC"
    availability: list[WindowIn] | Unset = UNSET
    seniority: None | ProfileInSeniorityType0 | Unset = UNSET
    mentoring: MentoringIn | Unset = UNSET
    visibility: ProfileInVisibility | Unset = "org"
    self_identified_groups: list[str] | Unset = UNSET
    group_statistics_consent: bool | Unset = False

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

        seniority: None | str | Unset
        if isinstance(self.seniority, Unset):
            seniority = UNSET
        elif isinstance(self.seniority, str):
            seniority = self.seniority
        else:
            seniority = self.seniority

        mentoring: dict[str, Any] | Unset = UNSET
        if not isinstance(self.mentoring, Unset):
            mentoring = self.mentoring.to_dict()

        visibility: str | Unset = UNSET
        if not isinstance(self.visibility, Unset):
            visibility = self.visibility

        self_identified_groups: list[str] | Unset = UNSET
        if not isinstance(self.self_identified_groups, Unset):
            self_identified_groups = self.self_identified_groups

        group_statistics_consent = self.group_statistics_consent

        field_dict: dict[str, Any] = {}

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
        if seniority is not UNSET:
            field_dict["seniority"] = seniority
        if mentoring is not UNSET:
            field_dict["mentoring"] = mentoring
        if visibility is not UNSET:
            field_dict["visibility"] = visibility
        if self_identified_groups is not UNSET:
            field_dict["self_identified_groups"] = self_identified_groups
        if group_statistics_consent is not UNSET:
            field_dict["group_statistics_consent"] = group_statistics_consent

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.mentoring_in import MentoringIn  # noqa: PLC0415
        from ..models.skill_in import SkillIn  # noqa: PLC0415
        from ..models.window_in import WindowIn  # noqa: PLC0415

        d = dict(src_dict)
        display_name = d.pop("display_name")

        headline = d.pop("headline", UNSET)

        bio = d.pop("bio", UNSET)

        _skills = d.pop("skills", UNSET)
        skills: list[SkillIn] | Unset = UNSET
        if _skills is not UNSET:
            skills = []
            for skills_item_data in _skills:
                skills_item = SkillIn.from_dict(skills_item_data)

                skills.append(skills_item)

        languages = cast(list[str], d.pop("languages", UNSET))

        timezone = d.pop("timezone", UNSET)

        _availability = d.pop("availability", UNSET)
        availability: list[WindowIn] | Unset = UNSET
        if _availability is not UNSET:
            availability = []
            for availability_item_data in _availability:
                availability_item = WindowIn.from_dict(availability_item_data)

                availability.append(availability_item)

        def _parse_seniority(data: object) -> None | ProfileInSeniorityType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                seniority_type_0 = check_profile_in_seniority_type_0(data)

                return seniority_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ProfileInSeniorityType0 | Unset, data)

        seniority = _parse_seniority(d.pop("seniority", UNSET))

        _mentoring = d.pop("mentoring", UNSET)
        mentoring: MentoringIn | Unset
        if isinstance(_mentoring, Unset):
            mentoring = UNSET
        else:
            mentoring = MentoringIn.from_dict(_mentoring)

        _visibility = d.pop("visibility", UNSET)
        visibility: ProfileInVisibility | Unset
        if isinstance(_visibility, Unset):
            visibility = UNSET
        else:
            visibility = check_profile_in_visibility(_visibility)

        self_identified_groups = cast(list[str], d.pop("self_identified_groups", UNSET))

        group_statistics_consent = d.pop("group_statistics_consent", UNSET)

        profile_in = cls(
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
            self_identified_groups=self_identified_groups,
            group_statistics_consent=group_statistics_consent,
        )

        return profile_in
