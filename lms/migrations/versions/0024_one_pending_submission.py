"""one pending submission: at most one piece of work waits per learner and assignment

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03 16:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None

WHERE = sa.text("status = 'pending'")


def upgrade():
    # Work sent twice at one moment before this index could leave two rows
    # waiting. The latest stays; each earlier one is returned with a note,
    # never deleted (the photos and links stay in the learner's history).
    op.execute(
        """
        UPDATE submission SET status = 'needs_work',
            feedback = 'Đã được thay bằng bài nộp sau. / Replaced by a later submission.',
            reviewed_at = created_at
        WHERE status = 'pending' AND EXISTS (
            SELECT 1 FROM submission AS later
            WHERE later.assignment_id = submission.assignment_id
              AND later.user_id = submission.user_id
              AND later.status = 'pending'
              AND later.id > submission.id
        )
        """
    )
    op.create_index(
        'uq_submission_one_pending',
        'submission',
        ['assignment_id', 'user_id'],
        unique=True,
        sqlite_where=WHERE,
        postgresql_where=WHERE,
    )


def downgrade():
    op.drop_index('uq_submission_one_pending', table_name='submission')
