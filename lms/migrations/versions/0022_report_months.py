"""report months: the daily totals summed by calendar month, for long periods

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03 16:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'report_month',
        sa.Column('metric', sa.String(length=16), nullable=False),
        sa.Column('area_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.Integer(), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('metric', 'area_id', 'key', 'month'),
    )
    from lms.models.totals import fill_months

    fill_months(op.get_bind())


def downgrade():
    op.drop_table('report_month')
