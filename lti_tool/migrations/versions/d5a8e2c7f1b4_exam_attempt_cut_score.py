"""exam_attempt: the cut score of the paper (modified Angoff), fixed when the paper is drawn

Revision ID: d5a8e2c7f1b4
Revises: d8a1f2c3b4e5
Create Date: 2026-12-07 13:10:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = 'd5a8e2c7f1b4'
down_revision = 'd8a1f2c3b4e5'
branch_labels = None
depends_on = None


def upgrade():
    # Existing attempts keep NULL: they are judged by the global pass mark, as before.
    with op.batch_alter_table('exam_attempt', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'cut_score',
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
                nullable=True,
            )
        )


def downgrade():
    with op.batch_alter_table('exam_attempt', schema=None) as batch_op:
        batch_op.drop_column('cut_score')
