"""Programme-wide messages: a reminder row may concern a programme and several sessions

`reminders.programme_id` (proposal, invitation, update and cancellation messages) and
`reminders.session_ids` (the sessions one gathered message is about). The new message kinds
need no change: `reminder_kind` is a VARCHAR.

Revision ID: c3f1a9d2e7b4
Revises: 9b7e2c4d1a35
Create Date: 2026-12-04 16:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c3f1a9d2e7b4'
down_revision = '9b7e2c4d1a35'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('programme_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('session_ids', sa.Text(), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_reminders_programme_id'), ['programme_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_reminders_programme_id_programmes'), 'programmes',
                                    ['programme_id'], ['id'], ondelete='CASCADE')
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.alter_column('session_ids', server_default=None)


def downgrade():
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_reminders_programme_id_programmes'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_reminders_programme_id'))
        batch_op.drop_column('session_ids')
        batch_op.drop_column('programme_id')
