"""No lost edits: row versions, one attendance row per person

Programmes, sessions, notes, lessons and follow-up actions get a `version` (SQLAlchemy's
version_id_col); existing rows start at 1. Attendance rows get `person_key` (city id and
casefolded name), unique per session; duplicates already recorded are merged into the oldest.
`idempotency_keys` holds the API's Idempotency-Key answers. Calendar feed tokens are stored
as their SHA-256 (existing feed addresses keep working; a downgrade revokes them).

Revision ID: a1c9e5f2b7d3
Revises: a1f3c2d4e5b6
Create Date: 2026-12-04 16:10:00

"""
import hashlib

import sqlalchemy as sa
from alembic import op

import matchmaker.dbtypes

# revision identifiers, used by Alembic.
revision = 'a1c9e5f2b7d3'
down_revision = 'a1f3c2d4e5b6'
branch_labels = None
depends_on = None

VERSIONED = ('programmes', 'programme_sessions', 'session_notes', 'lessons', 'follow_up_actions')


def upgrade():
    op.create_table('idempotency_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('request', sa.String(length=300), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('created_at', matchmaker.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_idempotency_keys_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_keys')),
    sa.UniqueConstraint('user_id', 'key', name=op.f('uq_idempotency_keys_user_id_key'))
    )
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idempotency_keys_created_at'), ['created_at'], unique=False)

    for table in VERSIONED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))

    with op.batch_alter_table('attendances', schema=None) as batch_op:
        batch_op.add_column(sa.Column('person_key', sa.String(length=700), nullable=True))
    connection = op.get_bind()
    attendances = sa.table('attendances', sa.column('id', sa.Integer), sa.column('session_id', sa.Integer),
                           sa.column('name', sa.String), sa.column('city_id', sa.Integer),
                           sa.column('person_key', sa.String))
    seen = set()
    rows = connection.execute(sa.select(attendances.c.id, attendances.c.session_id, attendances.c.name,
                                        attendances.c.city_id).order_by(attendances.c.id)).all()
    for row in rows:
        key = f"{row.city_id or 0}:{row.name.strip().casefold()}"
        if (row.session_id, key) in seen:
            connection.execute(attendances.delete().where(attendances.c.id == row.id))
            continue
        seen.add((row.session_id, key))
        connection.execute(attendances.update().where(attendances.c.id == row.id).values(person_key=key))
    with op.batch_alter_table('attendances', schema=None) as batch_op:
        batch_op.alter_column('person_key', existing_type=sa.String(length=700), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_attendances_session_id_person_key'), ['session_id', 'person_key'])


    users = sa.table('users', sa.column('id', sa.Integer), sa.column('calendar_token', sa.String))
    for user_id, token in connection.execute(
            sa.select(users.c.id, users.c.calendar_token).where(users.c.calendar_token.isnot(None))).all():
        connection.execute(users.update().where(users.c.id == user_id)
                           .values(calendar_token=hashlib.sha256(token.encode()).hexdigest()))


def downgrade():
    op.execute("UPDATE users SET calendar_token = NULL")
    op.drop_table('idempotency_keys')
    with op.batch_alter_table('attendances', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_attendances_session_id_person_key'), type_='unique')
        batch_op.drop_column('person_key')
    for table in reversed(VERSIONED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('version')
