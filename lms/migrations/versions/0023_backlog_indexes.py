"""backlog indexes: work waiting by area, trainers by area, without a table scan

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03 17:00:00

"""
from alembic import op

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_submission_status_area',
        'submission',
        ['status', 'area_id', 'created_at'],
    )
    op.create_index(
        'ix_user_role_active_area', 'user', ['role', 'active', 'area_id']
    )


def downgrade():
    op.drop_index('ix_user_role_active_area', table_name='user')
    op.drop_index('ix_submission_status_area', table_name='submission')
