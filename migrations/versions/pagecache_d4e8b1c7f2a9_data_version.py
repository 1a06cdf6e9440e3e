"""Data version: one counter row that every committed write moves, for the page cache

Revision ID: d4e8b1c7f2a9
Revises: a1c9e5f2b7d3
Create Date: 2026-12-04 19:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd4e8b1c7f2a9'
down_revision = 'a1c9e5f2b7d3'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table('data_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('n', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_version'))
    )
    op.bulk_insert(table, [{'id': 1, 'n': 0}])


def downgrade():
    op.drop_table('data_version')
