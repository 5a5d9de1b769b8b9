"""One transaction in one tenant's store, and the events it will publish through the outbox."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from types import TracebackType
from typing import Protocol

from sqlmodel.ext.asyncio.session import AsyncSession

from mentornet_common.contracts import Event
from mentornet_common.envelope import Envelope
from mentornet_common.outbox import OutboxMessage
from mentornet_common.settings import CommonSettings
from mentornet_common.telemetry import current_tenant
from mentornet_common.tenancy import CONSORTIUM, TenantStores


class Waker(Protocol):
    def wake(self, tenant_id: str, rows: list[OutboxMessage]) -> None: ...


class UnitOfWork:
    """``async with runtime.unit_of_work(tenant) as uow: ...; uow.publish(event); await uow.commit()``.

    Leaving the block without ``commit()`` rolls everything back, events included.
    """

    session: AsyncSession

    def __init__(
        self, settings: CommonSettings, stores: TenantStores, relay: Waker | None, tenant_id: str
    ) -> None:
        self.tenant_id = tenant_id
        self._settings = settings
        self._stores = stores
        self._relay = relay
        self._outbox: list[OutboxMessage] = []
        self._after_commit: list[Callable[[], None]] = []
        self._committed = False
        self._consortium: AsyncSession | None = None
        self._consortium_cm: AbstractAsyncContextManager[AsyncSession] | None = None

    async def __aenter__(self) -> UnitOfWork:
        self._session_cm = self._stores.writer(self.tenant_id)
        self.session = await self._session_cm.__aenter__()
        self._tenant_token = current_tenant.set(self.tenant_id)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if not self._committed:
                # Detach first: a rollback expires loaded rows, and a read-only block returns them.
                self.session.expunge_all()
                await self.session.rollback()
        finally:
            current_tenant.reset(self._tenant_token)
            try:
                if self._consortium_cm is not None:
                    self._consortium, opened, self._consortium_cm = None, self._consortium_cm, None
                    await opened.__aexit__(None, None, None)
            finally:
                await self._session_cm.__aexit__(exc_type, exc, tb)

    @property
    def settings(self) -> CommonSettings:
        """The settings of the process this unit of work runs in."""
        return self._settings

    @property
    def stores(self) -> TenantStores:
        """Every tenant store of this process (for reads beside this transaction)."""
        return self._stores

    def consortium(self) -> AbstractAsyncContextManager[AsyncSession]:
        """A separate session on the consortium store, to read shared data (the directory) beside this one.

        It is opened on first use and kept until the unit of work ends: every read of the consortium in
        one unit of work shares one connection and one snapshot."""
        return self._consortium_session()

    @asynccontextmanager
    async def _consortium_session(self) -> AsyncIterator[AsyncSession]:
        if self._consortium is None:
            opening = self._stores.session(CONSORTIUM)
            self._consortium = await opening.__aenter__()
            self._consortium_cm = opening
        yield self._consortium

    def publish(self, event: Event, tenant_id: str | None = None) -> Envelope:
        """Add an event to this transaction's outbox; ``tenant_id`` is the owning org (default: this one)."""
        envelope = Envelope.new(event, tenant_id or self.tenant_id)
        row = OutboxMessage.from_envelope(envelope, self._settings.topic(event.topic))
        self.session.add(row)
        self._outbox.append(row)
        return envelope

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once the change is committed (never if it is rolled back)."""
        self._after_commit.append(callback)

    async def commit(self) -> None:
        """Commit the change and its events, then wake the relay to publish exactly those events."""
        await self.session.commit()
        self._committed = True
        if self._outbox and self._relay is not None:
            self._relay.wake(self.tenant_id, self._outbox)
        for callback in self._after_commit:
            callback()
