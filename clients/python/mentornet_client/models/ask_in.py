from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.ask_in_duration_minutes import AskInDurationMinutes, check_ask_in_duration_minutes
from ..models.ask_in_scope import AskInScope, check_ask_in_scope
from ..types import UNSET, Unset

T = TypeVar("T", bound="AskIn")


@_attrs_define
class AskIn:
    """
    Attributes:
        question (str):
        skills (list[str]):
        background (str | Unset):  Default: ''.
        success_criteria (str | Unset):  Default: ''.
        duration_minutes (AskInDurationMinutes | Unset):  Default: 30.
        scope (AskInScope | Unset):  Default: 'consortium'.
        languages (list[str] | Unset): Languages the session may be held in (BCP 47); empty: those on the mentee's card.
    """

    question: str
    skills: list[str]
    background: str | Unset = ""
    success_criteria: str | Unset = ""
    duration_minutes: AskInDurationMinutes | Unset = 30
    scope: AskInScope | Unset = "consortium"
    languages: list[str] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        question = self.question

        skills = self.skills

        background = self.background

        success_criteria = self.success_criteria

        duration_minutes: int | Unset = UNSET
        if not isinstance(self.duration_minutes, Unset):
            duration_minutes = self.duration_minutes

        scope: str | Unset = UNSET
        if not isinstance(self.scope, Unset):
            scope = self.scope

        languages: list[str] | Unset = UNSET
        if not isinstance(self.languages, Unset):
            languages = self.languages

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "question": question,
                "skills": skills,
            }
        )
        if background is not UNSET:
            field_dict["background"] = background
        if success_criteria is not UNSET:
            field_dict["success_criteria"] = success_criteria
        if duration_minutes is not UNSET:
            field_dict["duration_minutes"] = duration_minutes
        if scope is not UNSET:
            field_dict["scope"] = scope
        if languages is not UNSET:
            field_dict["languages"] = languages

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        question = d.pop("question")

        skills = cast(list[str], d.pop("skills"))

        background = d.pop("background", UNSET)

        success_criteria = d.pop("success_criteria", UNSET)

        _duration_minutes = d.pop("duration_minutes", UNSET)
        duration_minutes: AskInDurationMinutes | Unset
        if isinstance(_duration_minutes, Unset):
            duration_minutes = UNSET
        else:
            duration_minutes = check_ask_in_duration_minutes(_duration_minutes)

        _scope = d.pop("scope", UNSET)
        scope: AskInScope | Unset
        if isinstance(_scope, Unset):
            scope = UNSET
        else:
            scope = check_ask_in_scope(_scope)

        languages = cast(list[str], d.pop("languages", UNSET))

        ask_in = cls(
            question=question,
            skills=skills,
            background=background,
            success_criteria=success_criteria,
            duration_minutes=duration_minutes,
            scope=scope,
            languages=languages,
        )

        return ask_in
