"""``Idempotency-Key`` on POST, and rate limits answering 429 with ``Retry-After``.

A portal that sends ``Idempotency-Key: <its own unique key>`` with a POST may retry it safely: the first
answer is stored (in the caller's own org store, for 24 hours) and every retry with the same key and the
same request gets that answer again, marked ``Idempotent-Replayed: true``. An answer marked
``Cache-Control: no-store`` carries a credential shown once (a new client's or webhook's secret): it is
never stored, and a retry gets a 409 saying the first request succeeded. The same key with a different
request is refused (422); a retry while the first is still running answers 409. A server error is not
stored, so the request can be retried. Keys are per caller: two callers' keys never meet.

The limiter counts requests per caller (the verified token's subject, else the client address):
``MENTORNET_RATE_LIMIT_PER_MINUTE`` requests a minute, ``MENTORNET_WRITE_RATE_LIMIT_PER_MINUTE`` of them
writes. Past it, ``429`` with ``Retry-After`` in seconds. With ``MENTORNET_REDIS_URL`` the counts are kept in
Redis, one budget for all of a service's replicas; without it, in each replica's memory (see ratelimit.py,
also for what happens while Redis fails: each replica counts in memory again, it never lets requests through
uncounted).
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Column, Text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel, col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mentornet_common.auth import vouched_for
from mentornet_common.problems import PROBLEM_JSON, Problem
from mentornet_common.ratelimit import Counters
from mentornet_common.tenancy import CONSORTIUM
from mentornet_common.timers import Timer
from mentornet_common.unit_of_work import UnitOfWork

KEEP_FOR = timedelta(hours=24)
KEY = re.compile(r"^[\x21-\x7e]{1,200}$")
# Never stored: a token response is a credential.
NOT_IDEMPOTENT = {"/v1/token"}
UNLIMITED = {"/healthz", "/readyz", "/metrics"}


class IdempotencyRecord(SQLModel, table=True):
    """The first answer to a POST sent with an Idempotency-Key, kept for a day."""

    __tablename__ = "idempotency_record"

    caller: str = Field(primary_key=True, max_length=100)
    key: str = Field(primary_key=True, max_length=200)
    request_hash: str = Field(max_length=64)
    status: int = 0
    content_type: str | None = Field(default=None, max_length=100)
    location: str | None = Field(default=None, max_length=500)
    body: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(index=True)  # the purge's question, every few minutes in every store


async def send_problem(send: Send, problem: Problem, path: str) -> None:
    """Answer with a problem document from an ASGI middleware, before any route ran."""
    body = json.dumps(problem.body(instance=path)).encode()
    headers = [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(body)).encode())]
    headers += [(k.lower().encode(), v.encode()) for k, v in problem.headers.items()]
    await send({"type": "http.response.start", "status": problem.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _caller(app: Any, headers: dict[bytes, bytes]) -> tuple[str, str] | None:
    """(caller id, tenant store) from a valid bearer token; None when there is none (the route decides)."""
    auth = headers.get(b"authorization", b"").decode()
    verifier = getattr(getattr(app, "state", None), "verifier", None)
    if not auth.lower().startswith("bearer ") or verifier is None:
        return None
    try:
        principal = await verifier.verify(auth[7:].strip())
    except Exception:
        return None
    await vouched_for(app, principal)
    # A portal acting for a person keeps keys of its own: it never replays what the person (or another
    # portal) was answered.
    acting = f"@{principal.actor}" if principal.actor else ""
    return f"{principal.kind}:{principal.subject}{acting}", principal.org_id or CONSORTIUM


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, per_minute: int, writes_per_minute: int, counters: Counters) -> None:
        self._app = app
        self._all = counters.limiter("requests", per_minute, 60.0)
        self._writes = counters.limiter("writes", writes_per_minute, 60.0)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNLIMITED:
            await self._app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        caller = await _caller(scope.get("app"), headers)
        client = scope.get("client") or ("?", 0)
        # The verified caller, not the token's text: a new token must not buy a fresh budget.
        who = caller[0] if caller else f"ip:{client[0]}"
        limiters = [self._all] + (
            [self._writes] if scope["method"] in ("POST", "PUT", "PATCH", "DELETE") else []
        )
        # A refused request spends nothing: the narrower limit is looked at before any is counted. Each hit
        # is checked and counted at once (in Redis, by one script), so replicas racing for the last request
        # of a budget never admit more than it.
        for limiter in limiters[1:]:
            if wait := await limiter.retry_after(who):
                await self._refuse(send, scope["path"], wait)
                return
        for limiter in limiters:
            if wait := await limiter.hit(who):
                await self._refuse(send, scope["path"], wait)
                return
        await self._app(scope, receive, send)

    @staticmethod
    async def _refuse(send: Send, path: str, wait: int) -> None:
        problem = Problem(
            429,
            "Too Many Requests",
            f"too many requests; retry in {wait} s",
            headers={"Retry-After": str(wait)},
        )
        await send_problem(send, problem, path)


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers") or [])
        key = headers.get(b"idempotency-key")
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or key is None
            or scope["path"] in NOT_IDEMPOTENT
        ):
            await self._app(scope, receive, send)
            return
        path = scope["path"]
        text_key = key.decode(errors="replace")
        if not KEY.match(text_key):
            problem = Problem(
                400, "Bad Request", "header.Idempotency-Key: 1 to 200 visible ASCII characters",
                errors=[{"field": "header.Idempotency-Key", "message": "1 to 200 visible ASCII characters"}],
            )  # fmt: skip
            await send_problem(send, problem, path)
            return
        app = scope.get("app")
        caller = await _caller(app, headers)
        runtime = getattr(getattr(app, "state", None), "runtime", None)
        if caller is None or runtime is None:
            await self._app(scope, receive, send)  # unauthenticated: the route answers 401
            return

        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        digest = hashlib.sha256(b"\n".join([scope["method"].encode(), path.encode(), body])).hexdigest()
        who, tenant = caller

        stored = await self._claim(runtime, tenant, who, text_key, digest)
        if isinstance(stored, Problem):
            await send_problem(send, stored, path)
            return
        if stored is not None:
            await self._replay(send, stored)
            return

        captured: dict[str, Any] = {"status": 500, "headers": [], "body": b""}

        async def replay_body() -> Message:
            nonlocal body
            chunk, body = body, b""
            return {"type": "http.request", "body": chunk, "more_body": False}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
                captured["headers"] = message.get("headers", [])
            elif message["type"] == "http.response.body":
                captured["body"] += message.get("body", b"")
            await send(message)

        try:
            await self._app(scope, replay_body, capture)
        finally:
            await self._settle(runtime, tenant, who, text_key, captured)

    async def _claim(
        self, runtime: Any, tenant: str, who: str, key: str, digest: str
    ) -> IdempotencyRecord | Problem | None:
        """The stored answer to replay, a refusal, or None after claiming the key for this request."""
        now = datetime.now(UTC)
        async with runtime.stores.writer(tenant) as db:
            record: IdempotencyRecord | None = await db.get(IdempotencyRecord, (who, key))
            if record is not None and now - record.created_at > KEEP_FOR:
                await db.delete(record)
                await db.flush()
                record = None
            if record is not None:
                if record.request_hash != digest:
                    reused = "already used for a different request"
                    return Problem(
                        422, "Unprocessable Content", f"header.Idempotency-Key: {reused}",
                        errors=[{"field": "header.Idempotency-Key", "message": reused}],
                    )  # fmt: skip
                if not record.status:
                    return Problem(
                        409, "Conflict", "a request with this Idempotency-Key is still in progress"
                    )
                return record
            db.add(IdempotencyRecord(caller=who, key=key, request_hash=digest, created_at=now))
            try:
                await db.commit()
            except IntegrityError:
                return Problem(409, "Conflict", "a request with this Idempotency-Key is still in progress")
        return None

    async def _settle(self, runtime: Any, tenant: str, who: str, key: str, captured: dict[str, Any]) -> None:
        async with runtime.stores.writer(tenant) as db:
            record = await db.get(IdempotencyRecord, (who, key))
            if record is None:
                return
            if captured["status"] >= 500:
                await db.delete(record)  # not an answer: the request may be retried
            else:
                headers = {k.decode().lower(): v.decode() for k, v in captured["headers"]}
                record.status = captured["status"]
                record.content_type = headers.get("content-type")
                record.location = headers.get("location")
                record.body = captured["body"].decode()
                if "no-store" in headers.get("cache-control", "") and record.status < 400:
                    # It carried a credential shown once (a client or webhook secret): never kept. A retry
                    # learns that the first request succeeded, and where to find what it made.
                    withheld = Problem(
                        409, "Conflict",
                        "this request already succeeded; its answer carried a secret shown only once, so it "
                        "is not kept for replay (list what it created to find it, or create another)",
                        location=record.location,
                    )  # fmt: skip
                    record.status, record.content_type = 409, PROBLEM_JSON
                    record.body = json.dumps(withheld.body())
                db.add(record)
            await db.commit()

    async def _replay(self, send: Send, record: IdempotencyRecord) -> None:
        body = (record.body or "").encode()
        headers = [(b"content-length", str(len(body)).encode()), (b"idempotent-replayed", b"true")]
        if record.content_type:
            headers.append((b"content-type", record.content_type.encode()))
        if record.location:
            headers.append((b"location", record.location.encode()))
        await send({"type": "http.response.start", "status": record.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


# the records are kept a day: every worker purges older ones (a timer, see timers.py) -----------------------


async def _stale(db: AsyncSession, tenant_id: str, now: datetime) -> list[str]:
    query = select(IdempotencyRecord.key).where(col(IdempotencyRecord.created_at) < now - KEEP_FOR).limit(1)
    return ["stale"] if (await db.exec(query)).first() is not None else []


async def _purge(uow: UnitOfWork, _: str, now: datetime) -> bool:
    await uow.session.exec(
        delete(IdempotencyRecord).where(col(IdempotencyRecord.created_at) < now - KEEP_FOR)
    )
    return True


PURGE = Timer("purge_idempotency_records", _stale, _purge)
