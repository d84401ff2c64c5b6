"""quiz papers: questions drawn per attempt; the paper kept with each attempt

Every attempt now asks its own shuffled paper (and may draw fewer questions than
the quiz holds), so grading and the review follow what the learner was shown.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('quiz', schema=None) as batch_op:
        batch_op.add_column(sa.Column('draw', sa.Integer(), nullable=True))
    with op.batch_alter_table('quiz_attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paper', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('quiz_attempt', schema=None) as batch_op:
        batch_op.drop_column('paper')
    with op.batch_alter_table('quiz', schema=None) as batch_op:
        batch_op.drop_column('draw')
