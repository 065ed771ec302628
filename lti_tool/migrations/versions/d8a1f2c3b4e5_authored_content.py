"""authoring: contents written in the tool, their published versions and images; the version a
play or a module progress started on

Revision ID: d8a1f2c3b4e5
Revises: b7e4c1d2a9f0
Create Date: 2026-12-07 13:00:00

"""
from alembic import op
import sqlalchemy as sa
import lti_tool.models.types


# revision identifiers, used by Alembic.
revision = 'd8a1f2c3b4e5'
down_revision = 'b7e4c1d2a9f0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'authored_content',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('context_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('slug', sa.String(length=128), nullable=False),
        sa.Column('title', sa.String(length=255), nullable=False),
        sa.Column('shared', sa.Boolean(), nullable=False),
        sa.Column('draft', sa.Text(), nullable=False),
        sa.Column('draft_revision', sa.Integer(), nullable=False),
        sa.Column('draft_updated_at', lti_tool.models.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column('draft_updated_by', sa.Integer(), nullable=True),
        sa.Column('published_version', sa.Integer(), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', lti_tool.models.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column('deleted_at', lti_tool.models.types.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['context_id'], ['app_context.id'], name=op.f('fk_authored_content_context_id_app_context')),
        sa.ForeignKeyConstraint(['created_by'], ['app_user.id'], name=op.f('fk_authored_content_created_by_app_user')),
        sa.ForeignKeyConstraint(['draft_updated_by'], ['app_user.id'], name=op.f('fk_authored_content_draft_updated_by_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_authored_content')),
    )
    with op.batch_alter_table('authored_content', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_authored_content_context_id'), ['context_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_authored_content_slug'), ['slug'], unique=False)
    op.create_table(
        'authored_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('content_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('slug', sa.String(length=128), nullable=False),
        sa.Column('title', sa.String(length=255), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('published_by', sa.Integer(), nullable=True),
        sa.Column('published_at', lti_tool.models.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['content_id'], ['authored_content.id'], name=op.f('fk_authored_version_content_id_authored_content')),
        sa.ForeignKeyConstraint(['published_by'], ['app_user.id'], name=op.f('fk_authored_version_published_by_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_authored_version')),
        sa.UniqueConstraint('content_id', 'number', name=op.f('uq_authored_version_content_id_number')),
    )
    with op.batch_alter_table('authored_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_authored_version_content_id'), ['content_id'], unique=False)
    op.create_table(
        'authored_image',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('content_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=128), nullable=False),
        sa.Column('mime', sa.String(length=32), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('uploaded_by', sa.Integer(), nullable=True),
        sa.Column('uploaded_at', lti_tool.models.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['content_id'], ['authored_content.id'], name=op.f('fk_authored_image_content_id_authored_content')),
        sa.ForeignKeyConstraint(['uploaded_by'], ['app_user.id'], name=op.f('fk_authored_image_uploaded_by_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_authored_image')),
        sa.UniqueConstraint('content_id', 'name', name=op.f('uq_authored_image_content_id_name')),
    )
    with op.batch_alter_table('authored_image', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_authored_image_content_id'), ['content_id'], unique=False)
    with op.batch_alter_table('case_play', schema=None) as batch_op:
        batch_op.add_column(sa.Column('authored_version', sa.Integer(), nullable=True))
    with op.batch_alter_table('module_progress', schema=None) as batch_op:
        batch_op.add_column(sa.Column('authored_version', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('module_progress', schema=None) as batch_op:
        batch_op.drop_column('authored_version')
    with op.batch_alter_table('case_play', schema=None) as batch_op:
        batch_op.drop_column('authored_version')
    with op.batch_alter_table('authored_image', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_authored_image_content_id'))
    op.drop_table('authored_image')
    with op.batch_alter_table('authored_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_authored_version_content_id'))
    op.drop_table('authored_version')
    with op.batch_alter_table('authored_content', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_authored_content_slug'))
        batch_op.drop_index(batch_op.f('ix_authored_content_context_id'))
    op.drop_table('authored_content')
