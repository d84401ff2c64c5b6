"""province issuers: each province's issuer on certificates and badges

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 13:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

ISSUER_COLUMNS = (
    ('issuer_name', 200),
    ('issuer_email', 254),
    ('issuer_phone', 32),
    ('issuer_url', 255),
)


def upgrade():
    # Plain ALTERs, not a batch: area and certificate are referenced by others.
    for name, length in ISSUER_COLUMNS:
        op.add_column('area', sa.Column(name, sa.String(length), nullable=True))
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite adds a column with its reference in place; no table copy.
        op.execute(
            'ALTER TABLE certificate ADD COLUMN issuer_area_id INTEGER '
            'CONSTRAINT fk_certificate_issuer_area_id_area REFERENCES area (id)'
        )
    else:
        op.add_column(
            'certificate', sa.Column('issuer_area_id', sa.Integer(), nullable=True)
        )
        op.create_foreign_key(
            'fk_certificate_issuer_area_id_area',
            'certificate',
            'area',
            ['issuer_area_id'],
            ['id'],
        )
    # Certificates issued before: by the province their holder lives in today.
    op.execute(
        """
        UPDATE certificate SET issuer_area_id = (
            SELECT province.id FROM "user"
            JOIN area ON area.id = "user".area_id
            JOIN area AS province
              ON province.parent_id IS NULL
             AND area.path LIKE province.path || '%'
            WHERE "user".id = certificate.user_id
        )
        """
    )


def downgrade():
    # DROP COLUMN in place (SQLite 3.35+): the column's reference goes with it.
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(
            'fk_certificate_issuer_area_id_area', 'certificate', type_='foreignkey'
        )
    op.drop_column('certificate', 'issuer_area_id')
    for name, _ in reversed(ISSUER_COLUMNS):
        op.drop_column('area', name)
