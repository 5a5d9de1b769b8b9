from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.mentor_card import MentorCard
    from ..models.person_card import PersonCard


T = TypeVar("T", bound="CardOut")


@_attrs_define
class CardOut:
    """What another member org sees: only the consortium-visible card.

    Attributes:
        user_id (str):
        org_id (str):
        card (PersonCard): What a person chose to show beyond their own org's store: never email, never private fields.
        mentor (MentorCard | None):
    """

    user_id: str
    org_id: str
    card: PersonCard
    mentor: MentorCard | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.mentor_card import MentorCard  # noqa: PLC0415

        user_id = self.user_id

        org_id = self.org_id

        card = self.card.to_dict()

        mentor: dict[str, Any] | None
        if isinstance(self.mentor, MentorCard):
            mentor = self.mentor.to_dict()
        else:
            mentor = self.mentor

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "user_id": user_id,
                "org_id": org_id,
                "card": card,
                "mentor": mentor,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.mentor_card import MentorCard  # noqa: PLC0415
        from ..models.person_card import PersonCard  # noqa: PLC0415

        d = dict(src_dict)
        user_id = d.pop("user_id")

        org_id = d.pop("org_id")

        card = PersonCard.from_dict(d.pop("card"))

        def _parse_mentor(data: object) -> MentorCard | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                mentor_type_0 = MentorCard.from_dict(data)

                return mentor_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(MentorCard | None, data)

        mentor = _parse_mentor(d.pop("mentor"))

        card_out = cls(
            user_id=user_id,
            org_id=org_id,
            card=card,
            mentor=mentor,
        )

        card_out.additional_properties = d
        return card_out

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
