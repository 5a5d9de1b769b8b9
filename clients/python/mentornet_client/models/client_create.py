from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.jwks import Jwks


T = TypeVar("T", bound="ClientCreate")


@_attrs_define
class ClientCreate:
    """
    Attributes:
        name (str):
        scopes (list[str] | Unset):
        jwks (Jwks | None | Unset): Public keys (a JWK Set, RS256 or ES256) with which the client signs assertions
            naming a person of its org, to act for them (token exchange).
    """

    name: str
    scopes: list[str] | Unset = UNSET
    jwks: Jwks | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.jwks import Jwks  # noqa: PLC0415

        name = self.name

        scopes: list[str] | Unset = UNSET
        if not isinstance(self.scopes, Unset):
            scopes = self.scopes

        jwks: dict[str, Any] | None | Unset
        if isinstance(self.jwks, Unset):
            jwks = UNSET
        elif isinstance(self.jwks, Jwks):
            jwks = self.jwks.to_dict()
        else:
            jwks = self.jwks

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
            }
        )
        if scopes is not UNSET:
            field_dict["scopes"] = scopes
        if jwks is not UNSET:
            field_dict["jwks"] = jwks

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.jwks import Jwks  # noqa: PLC0415

        d = dict(src_dict)
        name = d.pop("name")

        scopes = cast(list[str], d.pop("scopes", UNSET))

        def _parse_jwks(data: object) -> Jwks | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                jwks_type_0 = Jwks.from_dict(data)

                return jwks_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Jwks | None | Unset, data)

        jwks = _parse_jwks(d.pop("jwks", UNSET))

        client_create = cls(
            name=name,
            scopes=scopes,
            jwks=jwks,
        )

        client_create.additional_properties = d
        return client_create

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
