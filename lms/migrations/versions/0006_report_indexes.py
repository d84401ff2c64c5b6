"""report indexes: club members by area; lesson progress by lesson and area

Counting a month's lesson completions by lesson walked every lesson's rows
through (lesson_id, completed_at) and looked each one up for its area; with
the area in the index the count never leaves it.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 07:00:00

"""
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.create_index('ix_certificate_club_members', ['club_id', 'area_id', 'issued_at', 'revoked_at', 'expires_at'], unique=False)
    with op.batch_alter_table('lesson_progress', schema=None) as batch_op:
        batch_op.drop_index('ix_lesson_progress_lesson_completed')
        batch_op.create_index('ix_lesson_progress_lesson_area', ['lesson_id', 'area_id', 'completed_at'], unique=False)


def downgrade():
    with op.batch_alter_table('lesson_progress', schema=None) as batch_op:
        batch_op.drop_index('ix_lesson_progress_lesson_area')
        batch_op.create_index('ix_lesson_progress_lesson_completed', ['lesson_id', 'completed_at'], unique=False)
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_index('ix_certificate_club_members')
