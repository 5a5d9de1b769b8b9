"""authorization codes for browser apps (authorization code with PKCE)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 07:45:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "authorize_request",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("csrf_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("client_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("redirect_uri", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("code_challenge", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("org_slug", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("authorize_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_authorize_request_expires_at"), ["expires_at"], unique=False)

    op.create_table(
        "authorization_code",
        sa.Column("code_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("client_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("redirect_uri", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("code_challenge", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=48), nullable=False),
        sa.Column("org_id", sqlmodel.sql.sqltypes.AutoString(length=48), nullable=True),
        sa.Column("via", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("used_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("family_id", sqlmodel.sql.sqltypes.AutoString(length=48), nullable=True),
        sa.PrimaryKeyConstraint("code_hash"),
    )
    with op.batch_alter_table("authorization_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_authorization_code_expires_at"), ["expires_at"], unique=False)

    with op.batch_alter_table("sso_login", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("authorize_request", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("sso_login", schema=None) as batch_op:
        batch_op.drop_column("authorize_request")
    with op.batch_alter_table("authorization_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_authorization_code_expires_at"))
    op.drop_table("authorization_code")
    with op.batch_alter_table("authorize_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_authorize_request_expires_at"))
    op.drop_table("authorize_request")
