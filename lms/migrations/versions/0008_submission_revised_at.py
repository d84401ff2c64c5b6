"""submission.revised_at: when the farmer last replaced work still waiting

A farmer may replace the photos and link of work that waits for review. The
trainer's review form carries this time, so a review of what was on screen is
never recorded against work that changed since.

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-03 10:00:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0008'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revised_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_column('revised_at')
