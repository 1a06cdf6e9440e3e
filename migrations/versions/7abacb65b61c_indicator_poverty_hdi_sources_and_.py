"""Indicators: poverty rate, human development index, and a source and origin per figure

Revision ID: 7abacb65b61c
Revises: 364a3c9ae508
Create Date: 2026-12-03 13:44:10.909945

Existing figures get no origin; `load-regions` treats a figure without an origin as set by a
user, so it never overwrites one.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7abacb65b61c'
down_revision = '364a3c9ae508'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.add_column(sa.Column('poverty_pct', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('hdi', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('sources', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('origins', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.drop_column('origins')
        batch_op.drop_column('sources')
        batch_op.drop_column('hdi')
        batch_op.drop_column('poverty_pct')
