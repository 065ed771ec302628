"""certification: a candidate recorded absent from the oral (issue 18)

Revision ID: f2b6d8a4c1e3
Revises: c3e7f1a2b4d6
Create Date: 2026-12-07 16:30:00.000000

"""
from alembic import op
import sqlalchemy as sa
import lti_tool.models.types


# revision identifiers, used by Alembic.
revision = 'f2b6d8a4c1e3'
down_revision = 'c3e7f1a2b4d6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cert_candidate') as batch_op:
        batch_op.add_column(
            sa.Column('oral_absent_at', lti_tool.models.types.UtcDateTime(timezone=True), nullable=True)
        )


def downgrade():
    with op.batch_alter_table('cert_candidate') as batch_op:
        batch_op.drop_column('oral_absent_at')
