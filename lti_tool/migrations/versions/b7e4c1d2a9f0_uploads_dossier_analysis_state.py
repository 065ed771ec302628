"""uploads: dossier analysis state (pending, running, ready, failed) and the upload's link

Revision ID: b7e4c1d2a9f0
Revises: c4a5e1d2b3f7
Create Date: 2026-12-07 04:10:00

"""
from alembic import op
import sqlalchemy as sa
import lti_tool.models.types


# revision identifiers, used by Alembic.
revision = 'b7e4c1d2a9f0'
down_revision = 'c4a5e1d2b3f7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('dossier_upload', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=16), server_default='ready', nullable=False))
        batch_op.add_column(sa.Column('error', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('claimed_at', lti_tool.models.types.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('resource_link_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_dossier_upload_resource_link_id_app_resource_link'),
            'app_resource_link', ['resource_link_id'], ['id'],
        )
    # Deleted versions keep only that they existed (issue 13, point 15).
    op.execute(
        "UPDATE dossier_upload SET original_name = '', sha256 = '', size = 0, detected_type = '' "
        "WHERE deleted_at IS NOT NULL"
    )


def downgrade():
    with op.batch_alter_table('dossier_upload', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_dossier_upload_resource_link_id_app_resource_link'), type_='foreignkey'
        )
        batch_op.drop_column('resource_link_id')
        batch_op.drop_column('claimed_at')
        batch_op.drop_column('error')
        batch_op.drop_column('status')
