"""cases: choice id recorded per choice, display-order seed per run

Revision ID: c4a5e1d2b3f7
Revises: b7e4c2a9d1f3
Create Date: 2026-12-07 04:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4a5e1d2b3f7'
down_revision = 'b7e4c2a9d1f3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case_play', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seed', sa.String(length=64), server_default='', nullable=False))
    with op.batch_alter_table('case_choice', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('choice_id', sa.String(length=128), server_default='', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('case_choice', schema=None) as batch_op:
        batch_op.drop_column('choice_id')
    with op.batch_alter_table('case_play', schema=None) as batch_op:
        batch_op.drop_column('seed')
