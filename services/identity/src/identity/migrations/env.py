from alembic import context
from sqlmodel import SQLModel

import identity.models  # noqa: F401  (registers identity's tables)
import mentornet_common.inbox
import mentornet_common.outbox
import mentornet_common.tenancy  # noqa: F401
from mentornet_common.migrations import run_env

run_env(context, SQLModel.metadata)
