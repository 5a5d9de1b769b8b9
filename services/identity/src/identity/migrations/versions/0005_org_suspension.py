"""an org's suspension by a consortium operator

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 08:50:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("org", schema=None) as batch_op:
        batch_op.add_column(sa.Column("suspended_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("org", schema=None) as batch_op:
        batch_op.drop_column("suspended_at")
