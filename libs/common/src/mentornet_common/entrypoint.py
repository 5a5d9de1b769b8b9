"""The container entrypoint: ``mentornet-entrypoint api|worker|migrate`` for the service in MENTORNET_SERVICE.

One image per service runs any of the three roles, so the API and the worker scale apart and migrations
run as a job before either starts.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import sys
from collections.abc import Callable

from mentornet_common.migrations import alembic_migrator, migrate_all
from mentornet_common.settings import CommonSettings
from mentornet_common.tenancy import TenantStores

ROLES = ("api", "worker", "migrate")


def migrate(service: str) -> None:
    """Bring the service's consortium store and every tenant store to head, then exit."""

    async def run() -> int:
        stores = TenantStores(CommonSettings(service_name=service), alembic_migrator(service))
        try:
            return await migrate_all(stores, lambda tenant: print(f"{service}: {tenant} at head", flush=True))
        finally:
            await stores.close()

    print(f"{service}: {asyncio.run(run())} stores migrated", flush=True)


def resolve(service: str, role: str) -> Callable[[], None]:
    """What to run for a service's role."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if role == "migrate":
        return lambda: migrate(service)
    module = importlib.import_module(f"{service}.{'main' if role == 'api' else 'worker'}")
    main: Callable[[], None] = module.main
    return main


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    service = os.environ.get("MENTORNET_SERVICE", "")
    if len(args) != 1 or not service:
        sys.exit(f"usage: MENTORNET_SERVICE=<service> mentornet-entrypoint {'|'.join(ROLES)}")
    try:
        run = resolve(service, args[0])
    except (ValueError, ModuleNotFoundError) as exc:
        sys.exit(str(exc))
    run()


if __name__ == "__main__":
    main()
