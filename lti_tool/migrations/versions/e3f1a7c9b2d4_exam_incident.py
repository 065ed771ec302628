"""exam: incidents (time lost to an outage, time granted by the trainers) — issue 16, point 4

Revision ID: e3f1a7c9b2d4
Revises: d3f8a1c5e7b2
Create Date: 2026-12-07 13:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
import lti_tool.models.types


# revision identifiers, used by Alembic.
revision = 'e3f1a7c9b2d4'
down_revision = 'd3f8a1c5e7b2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('exam_incident',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('started_at', lti_tool.models.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', lti_tool.models.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('seconds_lost', sa.Integer(), nullable=False),
    sa.Column('compensated_seconds', sa.Integer(), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['exam_attempt.id'], name=op.f('fk_exam_incident_attempt_id_exam_attempt')),
    sa.ForeignKeyConstraint(['recorded_by'], ['app_user.id'], name=op.f('fk_exam_incident_recorded_by_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exam_incident'))
    )
    with op.batch_alter_table('exam_incident', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exam_incident_attempt_id'), ['attempt_id'], unique=False)


def downgrade():
    with op.batch_alter_table('exam_incident', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exam_incident_attempt_id'))
    op.drop_table('exam_incident')
