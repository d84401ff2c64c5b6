"""report totals: daily counts per area, course and figure, for reports at any size

Revision ID: 0021
Revises: 0019
Create Date: 2026-12-03 13:45:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'report_total',
        sa.Column('metric', sa.String(length=16), nullable=False),
        sa.Column('area_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('metric', 'area_id', 'key', 'day'),
    )
    op.create_index(
        'ix_report_total_area', 'report_total', ['metric', 'area_id', 'day']
    )
    # Count what is already there, so the reports read the same figures at once.
    from lms.models.totals import rebuild

    rebuild(op.get_bind(), months=False)  # report_month comes in 0022


def downgrade():
    op.drop_index('ix_report_total_area', table_name='report_total')
    op.drop_table('report_total')
