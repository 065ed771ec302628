"""login: rate counter per client address, JWKS fetch failures remembered

Revision ID: b7c1d4e2f913
Revises: 69ffc433d6d3
Create Date: 2026-12-07 04:15:00

"""
from alembic import op
import sqlalchemy as sa
import lti_tool.models.types


# revision identifiers, used by Alembic.
revision = 'b7c1d4e2f913'
down_revision = '69ffc433d6d3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('lti_rate_counter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=128), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('expires_at', lti_tool.models.types.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_rate_counter')),
    sa.UniqueConstraint('key', name=op.f('uq_lti_rate_counter_key'))
    )
    with op.batch_alter_table('lti_rate_counter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lti_rate_counter_expires_at'), ['expires_at'], unique=False)

    with op.batch_alter_table('lti_jwks_cache', schema=None) as batch_op:
        batch_op.add_column(sa.Column('checked_at', lti_tool.models.types.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('error', sa.String(length=255), nullable=True))


def downgrade():
    with op.batch_alter_table('lti_jwks_cache', schema=None) as batch_op:
        batch_op.drop_column('error')
        batch_op.drop_column('checked_at')

    with op.batch_alter_table('lti_rate_counter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lti_rate_counter_expires_at'))

    op.drop_table('lti_rate_counter')
