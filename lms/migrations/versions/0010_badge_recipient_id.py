"""badge recipient id: Open Badges name a learner by a random id, not the phone

A Vietnamese mobile number has too little entropy for any hash to hide it, so
the salted hash of the phone that assertions carried could be reversed. Every
account gets 128 random bits instead; existing accounts get theirs here.

Revision ID: 0010
Revises: 0006
Create Date: 2026-12-03 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0007'
branch_labels = None
depends_on = None

RANDOM_HEX = {
    'sqlite': "lower(hex(randomblob(16)))",
    'postgresql': "replace(gen_random_uuid()::text, '-', '')",
}


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        # In place: a batch copy of "user" cannot drop the old table while
        # certificates, progress and classes point at it (foreign keys are on).
        op.add_column('user', sa.Column(
            'badge_recipient_id', sa.String(length=32), nullable=False,
            server_default=''))
        op.execute(f'UPDATE "user" SET badge_recipient_id = {RANDOM_HEX[dialect]}')
        op.create_index('uq_user_badge_recipient_id', 'user', ['badge_recipient_id'],
                        unique=True)
        return
    op.add_column('user', sa.Column('badge_recipient_id', sa.String(length=32), nullable=True))
    op.execute(f'UPDATE "user" SET badge_recipient_id = {RANDOM_HEX[dialect]}')
    op.alter_column('user', 'badge_recipient_id', existing_type=sa.String(length=32), nullable=False)
    op.create_index('uq_user_badge_recipient_id', 'user', ['badge_recipient_id'], unique=True)


def downgrade():
    op.drop_index('uq_user_badge_recipient_id', table_name='user')
    op.drop_column('user', 'badge_recipient_id')
