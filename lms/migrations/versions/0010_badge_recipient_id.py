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
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('badge_recipient_id', sa.String(length=32), nullable=True))
    dialect = op.get_bind().dialect.name
    op.execute(f'UPDATE "user" SET badge_recipient_id = {RANDOM_HEX[dialect]}')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.alter_column('badge_recipient_id', existing_type=sa.String(length=32), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_user_badge_recipient_id'), ['badge_recipient_id'])


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_user_badge_recipient_id'), type_='unique')
        batch_op.drop_column('badge_recipient_id')
