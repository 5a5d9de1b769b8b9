"""the directory's display names, for its pages in name order

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 22:56:45.257448

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (column types of SQLModel tables)
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("directory_entry", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "display_name",
                sa.Text().with_variant(sa.Text(collation="C"), "postgresql"),
                server_default="",
                nullable=False,
            )
        )
        batch_op.create_index(
            "ix_directory_entry_display_name_mentor_id", ["display_name", "mentor_id"], unique=False
        )
    # The entries already there take their card's name (each new one is written with it).
    if op.get_bind().dialect.name == "postgresql":
        name = "card->>'display_name'"
    else:
        name = "json_extract(card, '$.display_name')"
    op.execute(f"UPDATE directory_entry SET display_name = coalesce({name}, '')")


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("directory_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_directory_entry_display_name_mentor_id")
        batch_op.drop_column("display_name")
