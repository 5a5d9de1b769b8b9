"""Streams' use cases: the pull feed and the org's webhook endpoints."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from mentornet_common.auth import Principal, admin_scope
from mentornet_common.egress import Refused
from mentornet_common.pagination import page
from mentornet_common.problems import Conflict, NotFound, Problem
from mentornet_common.runtime import Runtime
from streams.config import StreamsSettings
from streams.models import (
    EventPage,
    PartnerEvent,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookIn,
)
from streams.partner import EVENT_OUT
from streams.webhooks import new_secret

POLL_S = 0.25


def partner_org(caller: Principal) -> str:
    """The org whose streams the caller reads or manages (the route admitted an org's API client holding
    the scope, or the org's admin)."""
    org_id = admin_scope(caller)
    if org_id is None:
        raise Problem(403, "Forbidden", "the event streams are an org's; operators watch them with the CLI")
    return org_id


def managed_org(caller: Principal, org_id: str | None) -> str:
    """The org whose webhook endpoints the caller manages: its own (an org's admin or API client; naming
    another answers 404), or the one a consortium operator names with ``org_id``."""
    if caller.is_operator:
        if not org_id:
            message = "a consortium operator names the org whose webhooks these are"
            raise Problem(422, "Unprocessable Content", f"query.org_id: {message}",
                          errors=[{"field": "query.org_id", "message": message}])  # fmt: skip
        return org_id
    own = partner_org(caller)
    if org_id is not None and org_id != own:
        raise NotFound("org")
    return own


def _cursor(after: str | None) -> int:
    if after in (None, ""):
        return 0
    if not after.isdigit():
        raise Problem(
            422, "Unprocessable Content", "query.after: a cursor from an earlier page (digits)",
            errors=[{"field": "query.after", "message": "a cursor from an earlier page"}],
        )  # fmt: skip
    return int(after)


class Waiting:
    """Long-polls waiting in this process: at most ``per_caller`` for one caller, ``overall`` in all; past
    either, 429 with Retry-After (a flood of open long-polls would hold every connection and task)."""

    def __init__(self, per_caller: int, overall: int) -> None:
        self.per_caller, self.overall = per_caller, overall
        self._by_caller: Counter[str] = Counter()

    @contextlib.contextmanager
    def one(self, caller: str) -> Iterator[None]:
        if self._by_caller[caller] >= self.per_caller or self._by_caller.total() >= self.overall:
            raise Problem(
                429, "Too Many Requests",
                "too many long-polls are waiting; poll again (or wait less) once one answered",
                headers={"Retry-After": "1"},
            )  # fmt: skip
        self._by_caller[caller] += 1
        try:
            yield
        finally:
            self._by_caller[caller] -= 1
            if self._by_caller[caller] <= 0:
                del self._by_caller[caller]


def _item(row: PartnerEvent) -> Any:
    """A feed item, checked against its type's partner shape (streams.partner), which the OpenAPI document
    declares; the route answers only the fields that were stored (none added by a default)."""
    stored = {"cursor": str(row.seq), "id": row.event_id, "type": row.ce_type, "topic": row.topic}
    return EVENT_OUT.validate_python({**stored, "subject": row.subject, "time": row.time, "data": row.data})


async def feed(
    runtime: Runtime,
    caller: Principal,
    after: str | None,
    limit: int,
    wait_s: float,
    types: list[str],
    waiting: Waiting | None = None,
) -> EventPage:
    """The org's events after ``after``, oldest first; waits up to ``wait_s`` for the first one."""
    org_id = partner_org(caller)
    if wait_s > 0 and waiting is not None:
        who = f"{caller.kind}:{caller.subject}" + (f"@{caller.actor}" if caller.actor else "")
        with waiting.one(who):
            return await feed(runtime, caller, after, limit, wait_s, types)
    start = _cursor(after)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_s
    while True:
        async with runtime.stores.session(org_id) as db:
            query = select(PartnerEvent).where(col(PartnerEvent.seq) > start)
            if types:
                query = query.where(col(PartnerEvent.ce_type).in_(types))
            rows = (await db.exec(query.order_by(col(PartnerEvent.seq)).limit(limit))).all()
        if rows or loop.time() >= deadline:
            break
        await asyncio.sleep(POLL_S)
    items = [_item(r) for r in rows]
    return EventPage(items=items, next_cursor=str(rows[-1].seq) if rows else str(start))


# webhooks ------------------------------------------------------------------------------------------------


async def register(runtime: Runtime, caller: Principal, data: WebhookIn) -> tuple[WebhookEndpoint, str]:
    """A new endpoint receives the org's events from now on (the feed serves anything earlier): the endpoint
    and its secret, shown once (kept only sealed)."""
    org_id = partner_org(caller)
    settings, secret = runtime.settings.as_(StreamsSettings), new_secret()
    try:
        await settings.egress().check(str(data.url))
    except Refused as exc:
        message = f"not a target webhooks may reach: {exc}"
        raise Problem(422, "Unprocessable Content", f"body.url: {message}",
                      errors=[{"field": "body.url", "message": message}]) from exc  # fmt: skip
    async with runtime.unit_of_work(org_id) as uow:
        newest = (
            await uow.session.exec(select(PartnerEvent.seq).order_by(col(PartnerEvent.seq).desc()).limit(1))
        ).first()
        endpoint = WebhookEndpoint(
            id=f"whk_{secrets.token_hex(8)}",
            url=str(data.url),
            event_types=list(dict.fromkeys(data.event_types)),
            secret=settings.seal().seal(secret),
            cursor=newest or 0,
            created_by=f"client:{caller.actor}" if caller.actor else f"{caller.kind}:{caller.subject}",
            created_at=datetime.now(UTC),
        )
        uow.session.add(endpoint)
        await uow.commit()
        return endpoint, secret


async def endpoints(
    runtime: Runtime, caller: Principal, limit: int, offset: int, org_id: str | None = None
) -> tuple[list[WebhookEndpoint], int | None]:
    async with runtime.stores.session(managed_org(caller, org_id)) as db:
        query = select(WebhookEndpoint).order_by(col(WebhookEndpoint.created_at), col(WebhookEndpoint.id))
        return page((await db.exec(query.offset(offset).limit(limit + 1))).all(), limit, offset)


async def _endpoint(db: AsyncSession, endpoint_id: str) -> WebhookEndpoint:
    endpoint = await db.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise NotFound("webhook")
    return endpoint


async def disable(
    runtime: Runtime, caller: Principal, endpoint_id: str, org_id: str | None = None
) -> WebhookEndpoint:
    """Stop delivering to an endpoint (nothing is deleted; deliveries wait); an org admin or its API client
    re-enables it with ``enable``, which also retries what failed."""
    async with runtime.unit_of_work(managed_org(caller, org_id)) as uow:
        endpoint = await _endpoint(uow.session, endpoint_id)
        if endpoint.enabled:
            who = "a consortium operator" if caller.is_operator else "the org"
            endpoint.enabled = False
            endpoint.disabled_reason = f"disabled by {who} at {datetime.now(UTC).isoformat()}"
            uow.session.add(endpoint)
            await uow.commit()
            await uow.session.refresh(endpoint)
        return endpoint


async def enable(runtime: Runtime, caller: Principal, endpoint_id: str) -> WebhookEndpoint:
    """Re-enable an endpoint after it was disabled; what failed while it was broken is sent again."""
    async with runtime.unit_of_work(partner_org(caller)) as uow:
        endpoint = await _endpoint(uow.session, endpoint_id)
        now = datetime.now(UTC)
        endpoint.enabled, endpoint.disabled_reason = True, None
        failed = (
            await uow.session.exec(
                select(WebhookDelivery).where(
                    WebhookDelivery.endpoint_id == endpoint_id, WebhookDelivery.status == "failed"
                )
            )
        ).all()
        for delivery in failed:
            delivery.status, delivery.attempts, delivery.next_attempt_at = "pending", 0, now
            uow.session.add(delivery)
        uow.session.add(endpoint)
        await uow.commit()
        return endpoint


async def remove(runtime: Runtime, caller: Principal, endpoint_id: str) -> WebhookEndpoint:
    async with runtime.unit_of_work(partner_org(caller)) as uow:
        endpoint = await _endpoint(uow.session, endpoint_id)
        await uow.session.delete(endpoint)
        await uow.commit()
        return endpoint


async def deliveries(
    runtime: Runtime, caller: Principal, endpoint_id: str, status: str | None, limit: int, offset: int
) -> tuple[list[WebhookDelivery], int | None]:
    async with runtime.stores.session(partner_org(caller)) as db:
        await _endpoint(db, endpoint_id)
        query = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
        if status:
            query = query.where(WebhookDelivery.status == status)
        query = query.order_by(col(WebhookDelivery.seq).desc()).offset(offset).limit(limit + 1)
        return page((await db.exec(query)).all(), limit, offset)


async def redeliver(
    runtime: Runtime, caller: Principal, endpoint_id: str, delivery_id: str
) -> WebhookDelivery:
    """Send one delivery again now (a fresh round of retries), whatever became of it before."""
    async with runtime.unit_of_work(partner_org(caller)) as uow:
        endpoint = await _endpoint(uow.session, endpoint_id)
        delivery = await uow.session.get(WebhookDelivery, delivery_id)
        if delivery is None or delivery.endpoint_id != endpoint_id:
            raise NotFound("delivery")
        if not endpoint.enabled:
            raise Conflict("the endpoint is disabled: enable it first")
        delivery.status, delivery.attempts, delivery.next_attempt_at = "pending", 0, datetime.now(UTC)
        uow.session.add(delivery)
        await uow.commit()
        return delivery
