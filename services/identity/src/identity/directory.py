"""SCIM provisioning over identity's stores: one org's people and groups (``/scim/v2``).

- Authenticated by an API client of the org holding the ``scim`` scope (its client_credentials token); the
  org is the client's, never a parameter.
- A SCIM user is a person of the org: ``userName`` is their email (it must be in one of the org's email
  domains, and a refusal never says whether the address exists elsewhere; so must every address in
  ``emails``; an address the person already holds is not checked again, so that a person whose domain the
  org has let go can still be deactivated), ``displayName`` (or the name) their name, cut to 200 characters
  as single sign-on does,
  ``active: false`` deactivates them (every token they hold stops working, as it does for an org_admin's
  deactivation), and DELETE erases them (the right to be forgotten, ``user-erased``).
- Identifiers the store cannot hold whole are refused (400), never cut: an ``externalId`` or a group's
  ``displayName`` of more than 200 characters, a ``userName`` that is not an email address (as the API
  takes one: at most 254 characters).
- A SCIM group is kept as the IdP sent it; the org's ``group_roles`` maps a group's displayName to a role.
  A role some group maps to is managed by group membership; other roles a person holds are left alone.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from fastapi import Request
from sqlalchemy import func
from sqlmodel import col, delete, select

from identity import service, sso
from identity.credentials import email_hash, new_id
from identity.models import EMAIL, AccountIndex, ScimGroup, ScimGroupMember, User
from identity.scim_directory import (
    GroupRecord,
    ScimConflict,
    ScimForbidden,
    ScimInvalid,
    ScimUnauthorized,
    UserRecord,
)
from mentornet_common.auth import InvalidToken
from mentornet_common.problems import Conflict, NotFound, Problem
from mentornet_common.tenancy import CONSORTIUM

if TYPE_CHECKING:
    from identity.service import Identity

OUTSIDE = "the address is not in one of the org's email domains"
LONGEST = 200
"""The longest externalId, group displayName and person's name the store holds."""


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime | None) -> datetime:
    moment = moment or _now()
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _external_id(external_id: str | None) -> str | None:
    if external_id is not None and len(external_id) > LONGEST:
        raise ScimInvalid(f"externalId: at most {LONGEST} characters")
    return external_id


def _addresses(attributes: dict[str, Any]) -> set[str]:
    """The addresses in the ``emails`` of a user's SCIM attributes."""
    entries = attributes.get("emails") or []
    return {
        e["value"].strip().lower() for e in entries if isinstance(e, dict) and isinstance(e.get("value"), str)
    }


def _group_name(display_name: str) -> str:
    name = display_name.strip()
    if not name or len(name) > LONGEST:
        raise ScimInvalid(f"displayName: from 1 to {LONGEST} characters")
    return name


async def directory_for(identity: Identity, request: Request) -> StoreDirectory:
    """The directory of the org whose API client (holding ``scim``) sent ``request``."""
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer ") or identity.verifier is None:
        raise ScimUnauthorized("a bearer token of an API client holding the scim scope is required")
    try:
        principal = await identity.verifier.verify(header[7:].strip())
    except InvalidToken as exc:
        raise ScimUnauthorized(f"invalid token: {exc}") from exc
    if principal.kind != "client" or principal.actor is not None or not principal.org_id:
        raise ScimForbidden("SCIM is for an org's API client, with its own client_credentials token")
    if "scim" not in principal.scopes:
        raise ScimForbidden("this needs the scope scim, which the API client was not granted")
    return StoreDirectory(identity, principal.org_id)


class StoreDirectory:
    def __init__(self, identity: Identity, org_id: str) -> None:
        self._identity = identity
        self._org_id = org_id

    def _session(self) -> Any:
        return self._identity.runtime.stores.session(self._org_id)

    # users -------------------------------------------------------------------------------------------

    def _live(self) -> Any:
        return select(User).where(col(User.email).not_like("erased-%@erased.invalid"))

    async def _groups_of(self, db: Any, user_ids: list[str]) -> dict[str, list[tuple[str, str]]]:
        if not user_ids:
            return {}
        rows = await db.exec(
            select(ScimGroupMember.user_id, ScimGroup.id, ScimGroup.display_name)
            .join(ScimGroup, col(ScimGroup.id) == col(ScimGroupMember.group_id))
            .where(col(ScimGroupMember.user_id).in_(user_ids))
            .order_by(col(ScimGroup.display_name))
        )
        found: dict[str, list[tuple[str, str]]] = {u: [] for u in user_ids}
        for user_id, group_id, name in rows.all():
            found[user_id].append((group_id, name))
        return found

    def _user_record(self, user: User, groups: list[tuple[str, str]]) -> UserRecord:
        return UserRecord(
            id=user.id,
            user_name=user.email,
            display_name=user.name,
            active=user.active,
            external_id=user.external_id,
            attributes=dict(user.scim_attributes or {}),
            groups=groups,
            created=_aware(user.created_at),
            last_modified=_aware(user.updated_at or user.created_at),
        )

    async def list_users(
        self, *, user_name: str | None, external_id: str | None, start_index: int, count: int
    ) -> tuple[list[UserRecord], int]:
        query = self._live()
        if user_name is not None:
            query = query.where(col(User.email) == user_name.strip().lower())
        if external_id is not None:
            query = query.where(col(User.external_id) == external_id)
        async with self._session() as db:
            total = (await db.exec(select(func.count()).select_from(query.subquery()))).one()
            users = (
                await db.exec(
                    query.order_by(col(User.created_at), col(User.id)).offset(start_index - 1).limit(count)
                )
            ).all() if count > 0 else []  # fmt: skip
            groups = await self._groups_of(db, [u.id for u in users])
        return [self._user_record(u, groups[u.id]) for u in users], int(total)

    async def get_user(self, user_id: str) -> UserRecord | None:
        async with self._session() as db:
            user = await db.get(User, user_id)
            if user is None or user.email == service.erased_email(user.id) or user.org_id != self._org_id:
                return None
            groups = await self._groups_of(db, [user.id])
        return self._user_record(user, groups[user.id])

    async def _email(self, user_name: str, held: str | None = None) -> str:
        """The person's email for ``user_name``; ``held``: the address they hold now, which stays theirs."""
        email = user_name.strip().lower()
        if email == held:
            return email
        if len(email) > 254 or not re.fullmatch(EMAIL, email):
            raise ScimInvalid("userName: not an email address (userName is the person's email)")
        try:
            await service.require_org_domain(self._identity, self._org_id, email, "userName")
        except Problem as exc:
            raise ScimInvalid(f"userName: {OUTSIDE}") from exc
        async with self._identity.runtime.stores.session(CONSORTIUM) as db:
            index = await db.get(AccountIndex, email_hash(email))
        if index is not None and index.org_id != self._org_id:
            raise ScimInvalid(f"userName: {OUTSIDE}")  # the same answer: nothing said about elsewhere
        return email

    async def _check_emails(self, attributes: dict[str, Any], held: dict[str, Any] | None = None) -> None:
        """Every address in ``emails`` (but those already in ``held``) is in one of the org's domains."""
        new = _addresses(attributes) - _addresses(held or {})
        if not new:
            return
        domains = set(await service.org_domains(self._identity, self._org_id))
        if any(address.rpartition("@")[2] not in domains for address in new):
            raise ScimInvalid(f"emails: {OUTSIDE}")

    async def create_user(
        self,
        *,
        user_name: str,
        display_name: str,
        active: bool,
        external_id: str | None,
        attributes: dict[str, Any],
    ) -> UserRecord:
        email = await self._email(user_name)
        await self._check_emails(attributes)
        name = (display_name.strip() or email.split("@")[0])[:LONGEST]
        try:
            user = await service.create_account(
                self._identity, self._org_id, email, name, None, ["member"],
                external_id=_external_id(external_id), scim_attributes=attributes, active=active,
            )  # fmt: skip
        except Conflict as exc:
            raise ScimConflict("another user of the org already has this userName") from exc
        return self._user_record(user, [])

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
        current = await self.get_user(user_id)
        if current is None:
            return None
        email = await self._email(user_name, held=current.user_name)
        await self._check_emails(attributes, held=current.attributes)
        try:
            await service.update_person(
                self._identity, self._org_id, user_id, email=email, name=display_name or None, active=active,
                external_id=_external_id(external_id) or "", scim_attributes=attributes,
            )  # fmt: skip
        except Conflict as exc:
            raise ScimConflict("another user of the org already has this userName") from exc
        except NotFound:
            return None
        return await self.get_user(user_id)

    async def delete_user(self, user_id: str) -> bool:
        if await self.get_user(user_id) is None:
            return False
        await service.erase(self._identity, self._org_id, user_id)
        return True

    # groups ------------------------------------------------------------------------------------------

    async def _group_record(self, db: Any, group: ScimGroup) -> GroupRecord:
        rows = await db.exec(
            select(User.id, User.name)
            .join(ScimGroupMember, col(ScimGroupMember.user_id) == col(User.id))
            .where(col(ScimGroupMember.group_id) == group.id)
            .order_by(col(User.created_at), col(User.id))
        )
        return GroupRecord(
            id=group.id,
            display_name=group.display_name,
            external_id=group.external_id,
            members=[(user_id, name) for user_id, name in rows.all()],
            attributes=dict(group.attributes or {}),
            created=_aware(group.created_at),
            last_modified=_aware(group.updated_at),
        )

    async def list_groups(
        self, *, display_name: str | None, external_id: str | None, start_index: int, count: int
    ) -> tuple[list[GroupRecord], int]:
        query = select(ScimGroup)
        if display_name is not None:
            query = query.where(func.lower(col(ScimGroup.display_name)) == display_name.strip().lower())
        if external_id is not None:
            query = query.where(col(ScimGroup.external_id) == external_id)
        async with self._session() as db:
            total = (await db.exec(select(func.count()).select_from(query.subquery()))).one()
            ordered = query.order_by(col(ScimGroup.created_at), col(ScimGroup.id))
            groups = (await db.exec(ordered.offset(start_index - 1).limit(count))).all() if count > 0 else []
            return [await self._group_record(db, g) for g in groups], int(total)

    async def get_group(self, group_id: str) -> GroupRecord | None:
        async with self._session() as db:
            group = await db.get(ScimGroup, group_id)
            return await self._group_record(db, group) if group is not None else None

    async def _check(self, display_name: str, member_ids: list[str], group_id: str | None) -> list[str]:
        wanted = list(dict.fromkeys(member_ids))
        async with self._session() as db:
            same = await db.exec(
                select(ScimGroup.id).where(func.lower(col(ScimGroup.display_name)) == display_name.lower())
            )
            if any(found != group_id for found in same.all()):
                raise ScimConflict("another group of the org already has this displayName")
            if wanted:
                known = set(
                    (
                        await db.exec(self._live().where(col(User.id).in_(wanted)).with_only_columns(User.id))
                    ).all()
                )
                if any(m not in known for m in wanted):
                    raise ScimInvalid("members: every member must be a user of this org")
        return wanted

    async def create_group(
        self, *, display_name: str, external_id: str | None, member_ids: list[str], attributes: dict[str, Any]
    ) -> GroupRecord:
        display_name, external_id = _group_name(display_name), _external_id(external_id)
        members = await self._check(display_name, member_ids, None)
        now = _now()
        group = ScimGroup(
            id=new_id("grp"), display_name=display_name, external_id=external_id,
            attributes=attributes, created_at=now, updated_at=now,
        )  # fmt: skip
        async with self._identity.runtime.unit_of_work(self._org_id) as uow:
            uow.session.add(group)
            for user_id in members:
                uow.session.add(ScimGroupMember(group_id=group.id, user_id=user_id))
            await uow.commit()
        await self._recompute(members)
        found = await self.get_group(group.id)
        assert found is not None
        return found

    async def replace_group(
        self,
        group_id: str,
        *,
        display_name: str,
        external_id: str | None,
        member_ids: list[str],
        attributes: dict[str, Any],
    ) -> GroupRecord | None:
        display_name, external_id = _group_name(display_name), _external_id(external_id)
        members = await self._check(display_name, member_ids, group_id)
        async with self._identity.runtime.unit_of_work(self._org_id) as uow:
            group = await uow.session.get(ScimGroup, group_id)
            if group is None:
                return None
            before = set(
                (
                    await uow.session.exec(
                        select(ScimGroupMember.user_id).where(ScimGroupMember.group_id == group_id)
                    )
                ).all()
            )
            renamed = group.display_name != display_name
            group.display_name, group.external_id = display_name, external_id
            group.attributes, group.updated_at = attributes, _now()
            uow.session.add(group)
            for user_id in before - set(members):
                await uow.session.exec(
                    delete(ScimGroupMember).where(
                        col(ScimGroupMember.group_id) == group_id, col(ScimGroupMember.user_id) == user_id
                    )
                )
            for user_id in set(members) - before:
                uow.session.add(ScimGroupMember(group_id=group_id, user_id=user_id))
            await uow.commit()
        await self._recompute(list(before | set(members)) if renamed else list(before ^ set(members)))
        return await self.get_group(group_id)

    async def delete_group(self, group_id: str) -> bool:
        async with self._identity.runtime.unit_of_work(self._org_id) as uow:
            group = await uow.session.get(ScimGroup, group_id)
            if group is None:
                return False
            members = list(
                (
                    await uow.session.exec(
                        select(ScimGroupMember.user_id).where(ScimGroupMember.group_id == group_id)
                    )
                ).all()
            )
            await uow.session.exec(delete(ScimGroupMember).where(col(ScimGroupMember.group_id) == group_id))
            await uow.session.delete(group)
            await uow.commit()
        await self._recompute(members)
        return True

    async def recompute_every_member(self, previous: dict[str, str]) -> None:
        """After the org changed its group_roles: everyone in one of its groups, by the new mapping; a role
        only the previous mapping gave is taken back."""
        async with self._session() as db:
            members = list((await db.exec(select(ScimGroupMember.user_id).distinct())).all())
        await self._recompute(members, frozenset(previous.values()))

    async def _recompute(self, user_ids: list[str], also_managed: frozenset[str] = frozenset()) -> None:
        """Each person's roles follow the groups they are now in (only roles some group maps to)."""
        if not user_ids:
            return
        mapping = await sso.group_roles(self._identity, self._org_id)
        if not mapping and not also_managed:
            return
        async with self._session() as db:
            groups = await self._groups_of(db, user_ids)
            users = {u.id: u for u in (await db.exec(select(User).where(col(User.id).in_(user_ids)))).all()}
        for user_id, user in users.items():
            names = [name for _, name in groups.get(user_id, [])]
            roles = sso.roles_after(user.role_list(), names, mapping, also_managed)
            if roles != sorted(user.role_list()):
                await service.update_person(self._identity, self._org_id, user_id, roles=roles)
