"""vietnamese sort keys: people by given name or family name, areas by name;
who last saved a lesson

Stored, indexed keys (lms/collation.py) let paged lists sort the Vietnamese way
in SQL, on SQLite and PostgreSQL alike; existing rows get theirs here. A lesson
remembers who saved it last, so an editor whose save conflicts is told who.

Revision ID: 0012
Revises: 0006
Create Date: 2026-12-03 10:30:00

"""
import sqlalchemy as sa
from alembic import op

from lms.collation import KEY_LENGTH, name_sort_keys, place_key

revision = '0012'
down_revision = '0013'
branch_labels = None
depends_on = None

BATCH = 5000


def _key_type():
    if op.get_bind().dialect.name == 'postgresql':
        return sa.String(KEY_LENGTH, collation='C')
    return sa.String(KEY_LENGTH)


def upgrade():
    key = _key_type()
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_sort_given', key, server_default='', nullable=False))
        batch_op.add_column(sa.Column('name_sort_family', key, server_default='', nullable=False))
    with op.batch_alter_table('area', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_sort', key, server_default='', nullable=False))
    if op.get_bind().dialect.name == 'sqlite':
        # In place, the reference inline: a batch copy of "lesson" cannot drop
        # the old table while learners' progress points at it.
        op.execute('ALTER TABLE lesson ADD COLUMN updated_by_id INTEGER'
                   ' CONSTRAINT fk_lesson_updated_by_id_user REFERENCES "user" (id)')
    else:
        with op.batch_alter_table('lesson', schema=None) as batch_op:
            batch_op.add_column(sa.Column('updated_by_id', sa.Integer(), nullable=True))
            batch_op.create_foreign_key(batch_op.f('fk_lesson_updated_by_id_user'), 'user', ['updated_by_id'], ['id'])
    _fill_keys()
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.create_index('ix_user_name_sort_given', ['name_sort_given', 'id'], unique=False)
        batch_op.create_index('ix_user_name_sort_family', ['name_sort_family', 'id'], unique=False)
    with op.batch_alter_table('area', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_area_name_sort'), ['name_sort'], unique=False)


def _fill_keys():
    bind = op.get_bind()
    user = sa.table('user', sa.column('id'), sa.column('name'),
                    sa.column('name_sort_given'), sa.column('name_sort_family'))
    area = sa.table('area', sa.column('id'), sa.column('name'), sa.column('name_sort'))
    rows = bind.execute(sa.select(area.c.id, area.c.name)).all()
    if rows:
        bind.execute(
            area.update().where(area.c.id == sa.bindparam('b_id'))
            .values(name_sort=sa.bindparam('b_key')),
            [{'b_id': i, 'b_key': place_key(name)} for i, name in rows],
        )
    last = 0
    while True:
        rows = bind.execute(
            sa.select(user.c.id, user.c.name).where(user.c.id > last)
            .order_by(user.c.id).limit(BATCH)
        ).all()
        if not rows:
            break
        keys = [{'b_id': i, **{f'b_{k}': v for k, v in name_sort_keys(name).items()}}
                for i, name in rows]
        bind.execute(
            user.update().where(user.c.id == sa.bindparam('b_id')).values(
                name_sort_given=sa.bindparam('b_name_sort_given'),
                name_sort_family=sa.bindparam('b_name_sort_family'),
            ),
            keys,
        )
        last = rows[-1][0]


def downgrade():
    with op.batch_alter_table('lesson', schema=None) as batch_op:
        if op.get_bind().dialect.name != 'sqlite':  # inline there: goes with the copy
            batch_op.drop_constraint(batch_op.f('fk_lesson_updated_by_id_user'), type_='foreignkey')
        batch_op.drop_column('updated_by_id')
    with op.batch_alter_table('area', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_area_name_sort'))
        batch_op.drop_column('name_sort')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_index('ix_user_name_sort_family')
        batch_op.drop_index('ix_user_name_sort_given')
        batch_op.drop_column('name_sort_family')
        batch_op.drop_column('name_sort_given')
