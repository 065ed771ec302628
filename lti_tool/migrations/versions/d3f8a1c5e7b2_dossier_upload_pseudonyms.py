"""dossier uploads: the pseudonyms the candidate declared with the version

Revision ID: d3f8a1c5e7b2
Revises: d5a8e2c7f1b4
Create Date: 2026-12-07 13:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd3f8a1c5e7b2'
down_revision = 'd5a8e2c7f1b4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('dossier_upload', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pseudonyms', sa.Text(), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('dossier_upload', schema=None) as batch_op:
        batch_op.drop_column('pseudonyms')
