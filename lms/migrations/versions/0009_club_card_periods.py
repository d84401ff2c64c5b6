"""club card periods, renewal rules, revocation causes

A club card can be renewed: one card per learner, club and period replaces
one card per learner and club. Clubs get their renewal rule (refresher quiz
size, pass mark, days before expiry). A card revoked because a course
certificate was revoked points at that certificate.

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-03 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTERs, not a batch: on SQLite a batch may copy and drop the club
    # table, which the certificates refer to.
    op.add_column('club', sa.Column('renewal_questions', sa.Integer(), server_default='5', nullable=False))
    op.add_column('club', sa.Column('renewal_pass_mark', sa.Integer(), server_default='80', nullable=False))
    op.add_column('club', sa.Column('renewal_days', sa.Integer(), server_default='60', nullable=False))
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revoked_cause_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('period', sa.Integer(), nullable=True))
    op.execute('UPDATE certificate SET period = 1 WHERE club_id IS NOT NULL')
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_constraint('uq_certificate_user_id_club_id', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_certificate_user_id_club_id_period'), ['user_id', 'club_id', 'period'])
        batch_op.create_foreign_key(batch_op.f('fk_certificate_revoked_cause_id_certificate'), 'certificate', ['revoked_cause_id'], ['id'])
        batch_op.create_check_constraint('card_period', 'club_id IS NULL OR period IS NOT NULL')


def downgrade():
    # Renewed cards would break the old one-card-per-club rule: keep the first.
    op.execute('DELETE FROM certificate WHERE period > 1')
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_certificate_card_period'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_certificate_revoked_cause_id_certificate'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_certificate_user_id_club_id_period'), type_='unique')
        batch_op.create_unique_constraint('uq_certificate_user_id_club_id', ['user_id', 'club_id'])
        batch_op.drop_column('period')
        batch_op.drop_column('revoked_cause_id')
    # Not a batch either (see upgrade); SQLite 3.35+ drops a plain column in place.
    for column in ('renewal_days', 'renewal_pass_mark', 'renewal_questions'):
        op.drop_column('club', column)
