from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.person_card_seniority_type_0 import PersonCardSeniorityType0, check_person_card_seniority_type_0
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.availability_window import AvailabilityWindow


T = TypeVar("T", bound="PersonCard")


@_attrs_define
class PersonCard:
    """What a person chose to show beyond their own org's store: never email, never private fields.

    Attributes:
        display_name (str):
        headline (str | Unset):  Default: ''.
        languages (list[str] | Unset):
        timezone (str | Unset):  Default: 'UTC'.
        seniority (None | PersonCardSeniorityType0 | Unset): Self-described career stage; only ever used to describe a
            match.
        availability (list[AvailabilityWindow] | Unset): Weekly windows in `timezone`, for finding common time with a
            mentor.
    """

    display_name: str
    headline: str | Unset = ""
    languages: list[str] | Unset = UNSET
    timezone: str | Unset = "UTC"
    seniority: None | PersonCardSeniorityType0 | Unset = UNSET
    availability: list[AvailabilityWindow] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        display_name = self.display_name

        headline = self.headline

        languages: list[str] | Unset = UNSET
        if not isinstance(self.languages, Unset):
            languages = self.languages

        timezone = self.timezone

        seniority: None | str | Unset
        if isinstance(self.seniority, Unset):
            seniority = UNSET
        elif isinstance(self.seniority, str):
            seniority = self.seniority
        else:
            seniority = self.seniority

        availability: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.availability, Unset):
            availability = []
            for availability_item_data in self.availability:
                availability_item = availability_item_data.to_dict()
                availability.append(availability_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "display_name": display_name,
            }
        )
        if headline is not UNSET:
            field_dict["headline"] = headline
        if languages is not UNSET:
            field_dict["languages"] = languages
        if timezone is not UNSET:
            field_dict["timezone"] = timezone
        if seniority is not UNSET:
            field_dict["seniority"] = seniority
        if availability is not UNSET:
            field_dict["availability"] = availability

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.availability_window import AvailabilityWindow  # noqa: PLC0415

        d = dict(src_dict)
        display_name = d.pop("display_name")

        headline = d.pop("headline", UNSET)

        languages = cast(list[str], d.pop("languages", UNSET))

        timezone = d.pop("timezone", UNSET)

        def _parse_seniority(data: object) -> None | PersonCardSeniorityType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                seniority_type_0 = check_person_card_seniority_type_0(data)

                return seniority_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PersonCardSeniorityType0 | Unset, data)

        seniority = _parse_seniority(d.pop("seniority", UNSET))

        _availability = d.pop("availability", UNSET)
        availability: list[AvailabilityWindow] | Unset = UNSET
        if _availability is not UNSET:
            availability = []
            for availability_item_data in _availability:
                availability_item = AvailabilityWindow.from_dict(availability_item_data)

                availability.append(availability_item)

        person_card = cls(
            display_name=display_name,
            headline=headline,
            languages=languages,
            timezone=timezone,
            seniority=seniority,
            availability=availability,
        )

        person_card.additional_properties = d
        return person_card

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
