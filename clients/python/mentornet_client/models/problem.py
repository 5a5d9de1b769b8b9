from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.field_error import FieldError


T = TypeVar("T", bound="Problem")


@_attrs_define
class Problem:
    """An RFC 9457 problem document (`application/problem+json`), the body of every error. Members that do
    not apply are left out; a client ignores members it does not know.

        Attributes:
            type_ (str): A URI naming the kind of problem: `about:blank` (the status says it all) or
                `https://mentornet.dev/problems/validation` for a request that breaks the declared schema.
            title (str): The status's phrase, or a short summary of the kind of problem.
            status (int): The HTTP status code.
            detail (str | Unset): What went wrong, in words.
            instance (str | Unset): The path that was called.
            errors (list[FieldError] | Unset): A request's invalid fields, one entry per problem (422, 400, 413, some 403).
            missing_scopes (list[str] | Unset): The scopes an API client lacks for this route (403).
            error (str | Unset): OAuth 2's error code, on the token endpoint and single sign-on: `invalid_grant`,
                `invalid_client`, `invalid_request`, `invalid_scope`, `unsupported_grant_type`, `access_denied`.
            location (None | str | Unset): On the 409 that answers an Idempotency-Key retry of a request whose answer
                carried a secret shown once: where what the first request created is (null when it named no location).
    """

    type_: str
    title: str
    status: int
    detail: str | Unset = UNSET
    instance: str | Unset = UNSET
    errors: list[FieldError] | Unset = UNSET
    missing_scopes: list[str] | Unset = UNSET
    error: str | Unset = UNSET
    location: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        title = self.title

        status = self.status

        detail = self.detail

        instance = self.instance

        errors: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.errors, Unset):
            errors = []
            for errors_item_data in self.errors:
                errors_item = errors_item_data.to_dict()
                errors.append(errors_item)

        missing_scopes: list[str] | Unset = UNSET
        if not isinstance(self.missing_scopes, Unset):
            missing_scopes = self.missing_scopes

        error = self.error

        location: None | str | Unset
        if isinstance(self.location, Unset):
            location = UNSET
        else:
            location = self.location

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
                "title": title,
                "status": status,
            }
        )
        if detail is not UNSET:
            field_dict["detail"] = detail
        if instance is not UNSET:
            field_dict["instance"] = instance
        if errors is not UNSET:
            field_dict["errors"] = errors
        if missing_scopes is not UNSET:
            field_dict["missing_scopes"] = missing_scopes
        if error is not UNSET:
            field_dict["error"] = error
        if location is not UNSET:
            field_dict["location"] = location

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.field_error import FieldError  # noqa: PLC0415

        d = dict(src_dict)
        type_ = d.pop("type")

        title = d.pop("title")

        status = d.pop("status")

        detail = d.pop("detail", UNSET)

        instance = d.pop("instance", UNSET)

        _errors = d.pop("errors", UNSET)
        errors: list[FieldError] | Unset = UNSET
        if _errors is not UNSET:
            errors = []
            for errors_item_data in _errors:
                errors_item = FieldError.from_dict(errors_item_data)

                errors.append(errors_item)

        missing_scopes = cast(list[str], d.pop("missing_scopes", UNSET))

        error = d.pop("error", UNSET)

        def _parse_location(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        location = _parse_location(d.pop("location", UNSET))

        problem = cls(
            type_=type_,
            title=title,
            status=status,
            detail=detail,
            instance=instance,
            errors=errors,
            missing_scopes=missing_scopes,
            error=error,
            location=location,
        )

        problem.additional_properties = d
        return problem

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
