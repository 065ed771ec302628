"""resource links: whether the exam publishes per-competency columns (chosen at content selection)

Revision ID: e5a1c3b7d9f2
Revises: b7e4c1d2a9f0
Create Date: 2026-12-07 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5a1c3b7d9f2'
down_revision = 'b7e4c1d2a9f0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('app_resource_link', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('competency_columns', sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table('app_resource_link', schema=None) as batch_op:
        batch_op.drop_column('competency_columns')
