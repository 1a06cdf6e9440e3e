"""Revocable sessions, expiring API tokens, sign-in throttles

Server-side browser sessions (user_sessions), API token names and expiry, the time a
password link was made and a password last changed, and counters for sign-in and
reset throttling (throttles), which replace the per-failure login_failures rows.
Existing API tokens get 90 days from the upgrade; existing links count as made now.

Revision ID: 457234c9f9d7
Revises: 7abacb65b61c
Create Date: 2026-12-03 13:45:00.160354

"""
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

import matchmaker.dbtypes


# revision identifiers, used by Alembic.
revision = '457234c9f9d7'
down_revision = '7abacb65b61c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('throttles',
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('last_at', matchmaker.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('next_at', matchmaker.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key_hash', name=op.f('pk_throttles'))
    )
    with op.batch_alter_table('throttles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_throttles_last_at'), ['last_at'], unique=False)

    op.create_table('user_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', matchmaker.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', matchmaker.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', matchmaker.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('user_agent', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_user_sessions_token_hash'))
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_failures_address'))
        batch_op.drop_index(batch_op.f('ix_login_failures_at'))
        batch_op.drop_index(batch_op.f('ix_login_failures_email'))

    op.drop_table('login_failures')

    now = datetime.now(UTC)
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name', sa.String(length=100), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('expires_at', matchmaker.dbtypes.UTCDateTime(timezone=True), nullable=True))
    tokens = sa.table('api_tokens', sa.column('expires_at', matchmaker.dbtypes.UTCDateTime()))
    op.execute(tokens.update().values(expires_at=now + timedelta(days=90)))
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.alter_column('name', server_default=None)
        batch_op.alter_column('expires_at', existing_type=matchmaker.dbtypes.UTCDateTime(timezone=True),
                              nullable=False)

    with op.batch_alter_table('password_links', schema=None) as batch_op:
        batch_op.add_column(sa.Column('created_at', matchmaker.dbtypes.UTCDateTime(timezone=True), nullable=True))
    links = sa.table('password_links', sa.column('created_at', matchmaker.dbtypes.UTCDateTime()))
    op.execute(links.update().values(created_at=now))
    with op.batch_alter_table('password_links', schema=None) as batch_op:
        batch_op.alter_column('created_at', existing_type=matchmaker.dbtypes.UTCDateTime(timezone=True),
                              nullable=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('password_changed_at', matchmaker.dbtypes.UTCDateTime(timezone=True), nullable=True))



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('password_changed_at')

    with op.batch_alter_table('password_links', schema=None) as batch_op:
        batch_op.drop_column('created_at')

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('expires_at')
        batch_op.drop_column('name')

    op.create_table('login_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('at', matchmaker.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures'))
    )
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_failures_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_failures_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_failures_address'), ['address'], unique=False)

    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id'))

    op.drop_table('user_sessions')
    with op.batch_alter_table('throttles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_throttles_last_at'))

    op.drop_table('throttles')
