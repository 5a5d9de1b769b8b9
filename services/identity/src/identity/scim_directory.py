"""What the SCIM protocol layer (``identity.scim``) needs from identity's storage: one org's directory.

The router speaks SCIM (RFC 7643/7644) and never sees an org id: ``directory_for(request)`` authenticates the
request and answers the :class:`Directory` of the org its bearer token belongs to. A directory raises the
exceptions below; the router turns each one into a SCIM error response.

Rules every implementation keeps (the router relies on them):

- ``userName`` is unique within the org and compared case-insensitively (RFC 7643 §4.1.1: caseExact
  false): ``list_users(user_name=...)`` matches regardless of case, and a create/replace whose userName
  differs only by case from another user's raises :class:`ScimConflict`. ``displayName`` of a group is
  matched the same way; ``externalId`` and ids are matched exactly.
- ``start_index`` is 1-based and ``count`` is at most the router's ``max_results`` (it may be 0: then only the
  total is wanted). The total is the number of matches regardless of the page; pages are ordered stably
  (e.g. by creation) so that consecutive pages neither repeat nor skip.
- ``attributes`` is stored as given and answered as last written: the router derives the resource from it.
- After ``delete_*`` answered True, ``get_*`` answers None for that id, for good (ids are never reused).
- A userName or email outside the org's domains, or a member id that is not a user of this org, raises
  :class:`ScimInvalid` without telling whether the address or id exists elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Protocol


@dataclass
class UserRecord:
    id: str
    user_name: str
    display_name: str
    active: bool
    external_id: str | None
    attributes: dict[str, Any]
    """The SCIM attributes as last written (no id/meta/groups/password/schemas)."""
    groups: list[tuple[str, str]]
    """(group id, group displayName): the groups this user is a direct member of; read-only in SCIM."""
    created: datetime
    last_modified: datetime


@dataclass
class GroupRecord:
    id: str
    display_name: str
    external_id: str | None
    members: list[tuple[str, str]]
    """(user id, user display name)."""
    attributes: dict[str, Any]
    """The SCIM attributes as last written (no id/meta/members/schemas)."""
    created: datetime
    last_modified: datetime


class Directory(Protocol):
    """One org's users and groups, as SCIM provisions them. Bound to one org: it never takes an org id."""

    async def list_users(
        self, *, user_name: str | None, external_id: str | None, start_index: int, count: int
    ) -> tuple[list[UserRecord], int]:
        """(page, total) of the users matching every given criterion (None: no criterion)."""
        ...

    async def get_user(self, user_id: str) -> UserRecord | None: ...

    async def create_user(
        self,
        *,
        user_name: str,
        display_name: str,
        active: bool,
        external_id: str | None,
        attributes: dict[str, Any],
    ) -> UserRecord: ...

    async def replace_user(
        self,
        user_id: str,
        *,
        user_name: str,
        display_name: str,
        active: bool,
        external_id: str | None,
        attributes: dict[str, Any],
    ) -> UserRecord | None:
        """The user after the replacement; None when there is no such user."""
        ...

    async def delete_user(self, user_id: str) -> bool:
        """False when there is no such user."""
        ...

    async def list_groups(
        self, *, display_name: str | None, external_id: str | None, start_index: int, count: int
    ) -> tuple[list[GroupRecord], int]: ...

    async def get_group(self, group_id: str) -> GroupRecord | None: ...

    async def create_group(
        self, *, display_name: str, external_id: str | None, member_ids: list[str], attributes: dict[str, Any]
    ) -> GroupRecord: ...

    async def replace_group(
        self,
        group_id: str,
        *,
        display_name: str,
        external_id: str | None,
        member_ids: list[str],
        attributes: dict[str, Any],
    ) -> GroupRecord | None: ...

    async def delete_group(self, group_id: str) -> bool: ...


class ScimError(Exception):
    """A failure the router answers with a SCIM Error (RFC 7644 §3.12): ``status`` and ``scim_type``."""

    status: ClassVar[int] = 400

    def __init__(self, detail: str, scim_type: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.scim_type = scim_type


class ScimConflict(ScimError):
    """409 uniqueness: e.g. another user of the org already has this userName (in any letter case)."""

    status = 409

    def __init__(self, detail: str) -> None:
        super().__init__(detail, "uniqueness")


class ScimInvalid(ScimError):
    """400: a value the directory refuses (an email domain outside the org's, an unknown member id...)."""

    status = 400

    def __init__(self, detail: str, scim_type: str = "invalidValue") -> None:
        super().__init__(detail, scim_type)


class ScimUnauthorized(ScimError):
    """401 (answered with ``WWW-Authenticate: Bearer``): no bearer token, or one that is not valid."""

    status = 401

    def __init__(self, detail: str) -> None:
        super().__init__(detail)


class ScimForbidden(ScimError):
    """403: a valid token that may not provision (e.g. its API client lacks the ``scim`` scope)."""

    status = 403

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
