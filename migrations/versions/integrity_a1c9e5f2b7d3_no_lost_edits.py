"""No lost edits: row versions for optimistic locking

Programmes, sessions, notes, lessons and follow-up actions get a `version` (SQLAlchemy's
version_id_col); existing rows start at 1.

Revision ID: a1c9e5f2b7d3
Revises: 457234c9f9d7
Create Date: 2026-12-04 16:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a1c9e5f2b7d3'
down_revision = '457234c9f9d7'
branch_labels = None
depends_on = None

VERSIONED = ('programmes', 'programme_sessions', 'session_notes', 'lessons', 'follow_up_actions')


def upgrade():
    for table in VERSIONED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    for table in reversed(VERSIONED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('version')
