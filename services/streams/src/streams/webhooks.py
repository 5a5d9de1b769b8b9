"""Webhook delivery: queued by a durable timer, sent by the worker, signed the Standard Webhooks way.

Each delivery carries ``webhook-id`` (the event id: receivers de-duplicate on it), ``webhook-timestamp``
(seconds since the epoch) and ``webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`` keyed
with the endpoint's secret (``whsec_`` + base64). A failed attempt is retried after 5 s, 5 min, 30 min,
2 h, 5 h, 10 h and 10 h — over 24 hours in all; when the last retry fails the delivery is ``failed`` and
the endpoint is disabled until its partner re-enables it (which also retries what failed). An HTTP call
is never made inside a database transaction: the delivery is read, sent, then its outcome recorded.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import secrets
import ssl
from datetime import UTC, datetime, timedelta

import httpx
from sqlmodel import col, select, update

from mentornet_common.egress import Egress, Refused
from mentornet_common.runtime import Runtime
from streams.config import StreamsSettings
from streams.models import PartnerEvent, WebhookDelivery, WebhookEndpoint

log = logging.getLogger(__name__)

RETRIES = (
    timedelta(seconds=5), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
    timedelta(hours=5), timedelta(hours=10), timedelta(hours=10),
)  # fmt: skip
ATTEMPTS = len(RETRIES) + 1


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def signature(secret: str, msg_id: str, timestamp: int, body: str) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{msg_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return f"v1,{base64.b64encode(digest).decode()}"


def body_of(event: PartnerEvent) -> str:
    return json.dumps(
        {"id": event.event_id, "type": event.ce_type, "subject": event.subject, "cursor": str(event.seq),
         "time": event.time.isoformat(), "data": event.data},
        separators=(",", ":"),
    )  # fmt: skip


def wants(endpoint: WebhookEndpoint, ce_type: str) -> bool:
    return "*" in endpoint.event_types or ce_type in endpoint.event_types


# sending --------------------------------------------------------------------------------------------------


class Sender:
    """Sends every due delivery of every org store; ``tick(now)`` is one round (the worker loops it).

    Each attempt goes only where ``egress`` allows (checked again at every send, connected to the address
    that was checked), has one deadline for all of it, reads no answer body (an answer whose head alone is
    too large ends the attempt), and records a status code or a fixed reason — ``timeout``, ``refused``,
    ``tls``, ``too-large``, ``error`` — never what the target said."""

    def __init__(
        self,
        runtime: Runtime,
        timeout_s: float = 10.0,
        egress: Egress | None = None,
        *,
        concurrency: int = 32,
        per_org: int = 4,
    ) -> None:
        self._runtime = runtime
        self._timeout_s = timeout_s
        settings = runtime.settings.as_(StreamsSettings)
        self._egress = egress or settings.egress()
        self._seal = settings.seal()
        self._overall = asyncio.Semaphore(concurrency)
        self._per_org_limit = per_org
        self._per_org: dict[str, asyncio.Semaphore] = {}
        self._in_flight: set[asyncio.Task[None]] = set()
        # A claimed delivery is not due for anyone else until this long after its attempt began.
        self._lease = timedelta(seconds=timeout_s + 30)

    async def with_endpoints(self) -> set[str]:
        """The org stores that have a webhook endpoint, one read each (a store that cannot be read counts:
        it is visited, and its failure reported, as before)."""
        found: set[str] = set()
        for tenant in await self._runtime.stores.tenants():
            try:
                async with self._runtime.stores.session(tenant) as db:
                    if (await db.exec(select(WebhookEndpoint.id).limit(1))).first() is not None:
                        found.add(tenant)
            except Exception:
                found.add(tenant)
        return found

    async def tick(
        self, now: datetime | None = None, *, wait: bool = True, stores: set[str] | None = None
    ) -> int:
        """Claim every due delivery of every org (or of ``stores``) and send each in a task of its own, at
        most ``per_org`` at once for one org and ``concurrency`` in all: a slow partner holds back only its
        own deliveries. ``wait``: return once they are sent (the tests), else at once (the worker's loop)."""
        moment = now or datetime.now(UTC)
        launched: list[asyncio.Task[None]] = []
        every = await self._runtime.stores.tenants()
        for tenant in every if stores is None else [t for t in every if t in stores]:
            try:
                work = await self._claim_due(tenant, moment)
            except Exception as exc:  # one org's store being down must not stop the others
                log.warning("webhook delivery failed in %s: %s", tenant, exc, extra={"tenant": tenant})
                continue
            for item in work:
                task = asyncio.create_task(self._deliver(tenant, item, moment), name=f"webhook-{item[0]}")
                self._in_flight.add(task)
                task.add_done_callback(self._in_flight.discard)
                launched.append(task)
        if wait and launched:
            await asyncio.gather(*launched, return_exceptions=True)
        return len(launched)

    async def close(self) -> None:
        """Stop what is in flight (each claimed delivery is due again once its lease runs out)."""
        for task in list(self._in_flight):
            task.cancel()
        await asyncio.gather(*self._in_flight, return_exceptions=True)

    async def _claim_due(self, tenant: str, now: datetime) -> list[tuple[str, str, str, str, str]]:
        """Due deliveries this replica now owns: each claimed by moving its next attempt past a lease, in
        one conditional update, so any number of worker replicas send it once."""
        async with self._runtime.stores.session(tenant) as db:
            due = (
                await db.exec(
                    select(WebhookDelivery.id)
                    .where(WebhookDelivery.status == "pending", col(WebhookDelivery.next_attempt_at) <= now)
                    .order_by(col(WebhookDelivery.seq))
                    .limit(200)
                )
            ).all()
        work = []
        for delivery_id in due:
            async with self._runtime.stores.writer(tenant) as db:
                claimed = await db.exec(
                    update(WebhookDelivery)
                    .where(
                        col(WebhookDelivery.id) == delivery_id,
                        col(WebhookDelivery.status) == "pending",
                        col(WebhookDelivery.next_attempt_at) <= now,
                    )
                    .values(next_attempt_at=now + self._lease)
                )
                await db.commit()
                if claimed.rowcount != 1:
                    continue  # another replica took it
                delivery = await db.get(WebhookDelivery, delivery_id)
                endpoint = await db.get(WebhookEndpoint, delivery.endpoint_id) if delivery else None
                event = await db.get(PartnerEvent, delivery.seq) if delivery else None
                if endpoint is not None and endpoint.enabled and event is not None:
                    secret = self._opened(endpoint.secret)
                    work.append((delivery_id, endpoint.url, secret, event.event_id, body_of(event)))
        return work

    def _opened(self, stored: str) -> str:
        """The endpoint's secret: sealed at rest (one registered before sealing is still in clear)."""
        if stored.startswith("whsec_"):
            return stored
        return self._seal.open(stored)

    async def _deliver(self, tenant: str, item: tuple[str, str, str, str, str], now: datetime) -> None:
        delivery_id, url, secret, event_id, body = item
        org = self._per_org.setdefault(tenant, asyncio.Semaphore(self._per_org_limit))
        try:
            async with self._overall, org:
                client = httpx.AsyncClient(timeout=self._timeout_s, trust_env=False, follow_redirects=False)
                async with client as http:
                    code, error = await self._post(http, url, secret, event_id, body, now)
                await self._record(tenant, delivery_id, code, error, now)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # never lose the loop to one delivery
            log.warning("webhook delivery %s failed: %s", delivery_id, exc, extra={"tenant": tenant})

    async def _post(
        self, http: httpx.AsyncClient, url: str, secret: str, event_id: str, body: str, now: datetime
    ) -> tuple[int | None, str | None]:
        timestamp = int(now.timestamp())
        headers = {
            "content-type": "application/json",
            "webhook-id": event_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": signature(secret, event_id, timestamp, body),
        }
        try:
            target = await self._egress.check(url)
        except Refused:
            return None, "refused: not a public address"
        request = http.build_request(
            "POST",
            target.url,
            content=body,
            headers={**headers, **target.headers()},
            extensions=target.extensions(),
        )
        try:
            async with asyncio.timeout(self._timeout_s):  # connect, send and answer: one deadline
                response = await http.send(request, stream=True)
                await response.aclose()  # the body is never read: nothing the target says is kept
        except TimeoutError:
            return None, "timeout"
        except httpx.TimeoutException:
            return None, "timeout"
        except httpx.ConnectError as exc:
            return None, "tls" if isinstance(exc.__cause__, ssl.SSLError) or "SSL" in str(exc) else "refused"
        except httpx.RemoteProtocolError as exc:
            # The answer's head outgrew what the HTTP parser buffers (its body is never read at all).
            return None, "too-large" if "too long" in str(exc) else "error"
        except httpx.HTTPError:
            return None, "error"
        return response.status_code, None if response.is_success else f"status {response.status_code}"

    async def _record(
        self, tenant: str, delivery_id: str, code: int | None, error: str | None, now: datetime
    ) -> None:
        async with self._runtime.stores.writer(tenant) as db:
            delivery = await db.get(WebhookDelivery, delivery_id)
            if delivery is None or delivery.status != "pending":
                return
            delivery.attempts += 1
            delivery.last_status_code, delivery.last_error = code, error
            if code is not None and 200 <= code < 300:
                delivery.status, delivery.delivered_at, delivery.next_attempt_at = "succeeded", now, None
            elif delivery.attempts >= ATTEMPTS:
                delivery.status, delivery.next_attempt_at = "failed", None
                endpoint = await db.get(WebhookEndpoint, delivery.endpoint_id)
                if endpoint is not None and endpoint.enabled:
                    endpoint.enabled = False
                    endpoint.disabled_reason = (
                        f"delivery {delivery.id} failed {delivery.attempts} times over 24 hours "
                        f"(last: {code or error}); re-enable it when the endpoint works again"
                    )
                    db.add(endpoint)
            else:
                delivery.next_attempt_at = now + RETRIES[delivery.attempts - 1]
            db.add(delivery)
            await db.commit()
