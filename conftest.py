"""How `make test` spreads the suite over pytest-xdist's workers (`-n N --dist loadscope`).

A test is its own unit of work, except where tests share something costly to build: the end-to-end suite
shares one `make run` system, the chaos suite one broker and one PostgreSQL
server, and a few of matching's modules an embedding model or index built once per module. Those go to
one worker each, whole, and (being the largest units) first. `TEST_WORKERS=0 make test` runs everything
in one process instead.

pytest-xdist's own `xdist_group` mark cannot be used here: under pytest 9 it no longer reaches the
scheduler (pytest-dev/pytest-xdist#1386), so the grouping is by path, below.
"""

from __future__ import annotations

from typing import Any

import pytest

# Path prefixes whose tests run together on one worker.
SHARED = (
    "tests/e2e/test_first_run.py",  # runners of its own, not the shared system: a unit beside it
    "tests/e2e/test_backup_restore.py",  # systems of its own too
    "tests/e2e/",
    "tests/chaos/",
    "services/matching/tests/test_embeddings.py",
    "services/matching/tests/test_index.py",
    "services/matching/tests/test_evaluation.py",
)


def unit_of(nodeid: str) -> str:
    """The unit of work a test belongs to: its shared prefix, or the test itself."""
    for prefix in SHARED:
        if nodeid.startswith(prefix):
            return prefix
    return nodeid


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ByUnit(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return unit_of(nodeid)

    return ByUnit(config, log)
