from alembic import context
from sqlmodel import SQLModel

import feedback.models  # noqa: F401  (registers the service's tables)
from mentornet_common.migrations import run_env

run_env(context, SQLModel.metadata)
