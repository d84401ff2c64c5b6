"""lesson audio: the trainer's recordings of a lesson, by language

Revision ID: 0019
Revises: 0009
Create Date: 2026-12-03 11:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('lesson') as batch_op:
        batch_op.add_column(sa.Column('audio', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('lesson') as batch_op:
        batch_op.drop_column('audio')
