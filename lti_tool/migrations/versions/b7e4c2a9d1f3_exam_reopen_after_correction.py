"""exam: reopening a closed session for one candidate (issue 13, point 5)

Revision ID: b7e4c2a9d1f3
Revises: b7c1d4e2f913
Create Date: 2026-12-07 04:20:00.000000

"""
from alembic import op
import sqlalchemy as sa
import lti_tool.models.types


# revision identifiers, used by Alembic.
revision = 'b7e4c2a9d1f3'
down_revision = 'b7c1d4e2f913'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('exam_reopen',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resource_link_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('by_user_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('at', lti_tool.models.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('after_attempt_no', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['by_user_id'], ['app_user.id'], name=op.f('fk_exam_reopen_by_user_id_app_user')),
    sa.ForeignKeyConstraint(['resource_link_id'], ['app_resource_link.id'], name=op.f('fk_exam_reopen_resource_link_id_app_resource_link')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_exam_reopen_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exam_reopen'))
    )
    with op.batch_alter_table('exam_reopen', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exam_reopen_resource_link_id'), ['resource_link_id'], unique=False)


def downgrade():
    with op.batch_alter_table('exam_reopen', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exam_reopen_resource_link_id'))
    op.drop_table('exam_reopen')
