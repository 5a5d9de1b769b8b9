import streams.models  # noqa: F401  (registers the service's tables)
from alembic import context
from sqlmodel import SQLModel

from mentornet_common.migrations import run_env

run_env(context, SQLModel.metadata)
