"""course content version: a number every change to a course or its parts moves

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-03 18:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    # Each process keeps a copy of the published courses it serves and checks
    # this number on every use (lms/services/course_views.py).
    op.add_column(
        'course',
        sa.Column(
            'content_version', sa.Integer(), nullable=False, server_default='1'
        ),
    )


def downgrade():
    with op.batch_alter_table('course') as batch:
        batch.drop_column('content_version')
