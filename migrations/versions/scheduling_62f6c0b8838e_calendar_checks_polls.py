"""Scheduling: cuti bersama days, time polls, a meeting room per programme

Calendar checks read the cuti_bersama days entered by facilitators; a time poll has options
(candidate starts) and one answer per Pokja member; reminders may concern a poll; a programme
keeps the random room name its meeting links are made from.

Revision ID: 62f6c0b8838e
Revises: 457234c9f9d7
Create Date: 2026-12-04 16:04:38.369297

"""
import sqlalchemy as sa
from alembic import op

import matchmaker.dbtypes


# revision identifiers, used by Alembic.
revision = '62f6c0b8838e'
down_revision = '457234c9f9d7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cuti_bersama',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', matchmaker.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cuti_bersama')),
    sa.UniqueConstraint('day', name=op.f('uq_cuti_bersama_day'))
    )
    op.create_table('polls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('timezone', sa.String(length=40), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('open', 'chosen', 'closed', name='poll_status', native_enum=False, length=20), nullable=False),
    sa.Column('chosen_option_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', matchmaker.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', matchmaker.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_polls_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_polls_programme_id_programmes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['programme_sessions.id'], name=op.f('fk_polls_session_id_programme_sessions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_polls'))
    )
    with op.batch_alter_table('polls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_polls_programme_id'), ['programme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_polls_status'), ['status'], unique=False)

    op.create_table('poll_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('available', sa.JSON(), nullable=False),
    sa.Column('answered_at', matchmaker.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['poll_id'], ['polls.id'], name=op.f('fk_poll_answers_poll_id_polls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_poll_answers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_poll_answers')),
    sa.UniqueConstraint('poll_id', 'user_id', name=op.f('uq_poll_answers_poll_id_user_id'))
    )
    with op.batch_alter_table('poll_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_poll_answers_poll_id'), ['poll_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_poll_answers_user_id'), ['user_id'], unique=False)

    op.create_table('poll_options',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', matchmaker.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['poll_id'], ['polls.id'], name=op.f('fk_poll_options_poll_id_polls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_poll_options'))
    )
    with op.batch_alter_table('poll_options', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_poll_options_poll_id'), ['poll_id'], unique=False)

    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('meeting_room', sa.String(length=40), nullable=False,
                                      server_default=''))

    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('poll_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_reminders_poll_id_polls'), 'polls', ['poll_id'], ['id'], ondelete='CASCADE')



def downgrade():
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_reminders_poll_id_polls'), type_='foreignkey')
        batch_op.drop_column('poll_id')

    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.drop_column('meeting_room')

    with op.batch_alter_table('poll_options', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_poll_options_poll_id'))

    op.drop_table('poll_options')
    with op.batch_alter_table('poll_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_poll_answers_user_id'))
        batch_op.drop_index(batch_op.f('ix_poll_answers_poll_id'))

    op.drop_table('poll_answers')
    with op.batch_alter_table('polls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_polls_status'))
        batch_op.drop_index(batch_op.f('ix_polls_programme_id'))

    op.drop_table('polls')
    op.drop_table('cuti_bersama')
