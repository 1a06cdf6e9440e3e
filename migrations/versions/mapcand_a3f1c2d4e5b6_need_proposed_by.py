"""Needs recorded by a facilitator on a city's behalf

needs.proposed_by_id: the facilitator who proposed a programme from "who needs this
practice?" and so recorded the need for the mentee city.

Revision ID: a3f1c2d4e5b6
Revises: 62f6c0b8838e
Create Date: 2026-12-04 16:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a3f1c2d4e5b6'
down_revision = '62f6c0b8838e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('needs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('proposed_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_needs_proposed_by_id_users'), 'users',
                                    ['proposed_by_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('needs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_needs_proposed_by_id_users'), type_='foreignkey')
        batch_op.drop_column('proposed_by_id')
