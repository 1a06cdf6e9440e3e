"""Files attached to session notes (note_attachments)

Revision ID: a1f3c2d4e5b6
Revises: c3f1a9d2e7b4
Create Date: 2026-12-04 16:20:00

"""
import sqlalchemy as sa
from alembic import op

import matchmaker.dbtypes


# revision identifiers, used by Alembic.
revision = 'a1f3c2d4e5b6'
down_revision = 'c3f1a9d2e7b4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('note_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('content_type', sa.String(length=120), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', matchmaker.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_note_attachments_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_id'], ['programme_sessions.id'], name=op.f('fk_note_attachments_session_id_programme_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_note_attachments')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_note_attachments_stored_name'))
    )
    with op.batch_alter_table('note_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_note_attachments_session_id'), ['session_id'], unique=False)


def downgrade():
    with op.batch_alter_table('note_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_note_attachments_session_id'))

    op.drop_table('note_attachments')
