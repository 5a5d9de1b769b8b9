import identity.models  # noqa: F401  (registers identity's tables)
import mentornet_common.inbox
import mentornet_common.outbox
import mentornet_common.tenancy  # noqa: F401
from alembic import context
from mentornet_common.migrations import run_env
from sqlmodel import SQLModel

run_env(context, SQLModel.metadata)
