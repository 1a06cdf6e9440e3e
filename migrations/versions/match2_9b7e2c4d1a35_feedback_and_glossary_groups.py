"""Matching feedback and admin glossary groups (issue 13)

match_feedback: a facilitator's "not a good match" on a recommended mentor, with the reason;
glossary_groups: concept groups an admin added in the app, with who and when.

Revision ID: 9b7e2c4d1a35
Revises: a3f1c2d4e5b6
Create Date: 2026-12-04 16:05:11.267845

"""
import sqlalchemy as sa
from alembic import op

import matchmaker.dbtypes


# revision identifiers, used by Alembic.
revision = '9b7e2c4d1a35'
down_revision = 'a3f1c2d4e5b6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('glossary_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.String(length=64), nullable=False),
    sa.Column('label_id', sa.String(length=200), nullable=False),
    sa.Column('label_en', sa.String(length=200), nullable=False),
    sa.Column('terms', sa.JSON(), nullable=False),
    sa.Column('topics', sa.JSON(), nullable=False),
    sa.Column('broader', sa.JSON(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', matchmaker.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_glossary_groups_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_glossary_groups'))
    )
    with op.batch_alter_table('glossary_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_glossary_groups_group_id'), ['group_id'], unique=False)

    op.create_table('match_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mentee_city_id', sa.Integer(), nullable=False),
    sa.Column('mentor_city_id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=30), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=True),
    sa.Column('practice_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Enum('not_comparable', 'unwilling', 'already_tried', 'other', name='feedback_reason', native_enum=False, length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', matchmaker.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_match_feedback_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['mentee_city_id'], ['cities.id'], name=op.f('fk_match_feedback_mentee_city_id_cities')),
    sa.ForeignKeyConstraint(['mentor_city_id'], ['cities.id'], name=op.f('fk_match_feedback_mentor_city_id_cities')),
    sa.ForeignKeyConstraint(['need_id'], ['needs.id'], name=op.f('fk_match_feedback_need_id_needs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['practice_id'], ['practices.id'], name=op.f('fk_match_feedback_practice_id_practices'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_match_feedback'))
    )
    with op.batch_alter_table('match_feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_match_feedback_mentee_city_id'), ['mentee_city_id'], unique=False)



def downgrade():
    with op.batch_alter_table('match_feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_match_feedback_mentee_city_id'))

    op.drop_table('match_feedback')
    with op.batch_alter_table('glossary_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_glossary_groups_group_id'))

    op.drop_table('glossary_groups')
