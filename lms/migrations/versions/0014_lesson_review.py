"""lesson review: when a lesson was last reviewed, its sources, whether it states a law

Also gives the KOC and KOL clubs the names and definitions the lessons use,
where an admin has not already changed the default texts.

Revision ID: 0014
Revises: 0006
Create Date: 2026-12-03 10:00:00

"""
import sqlalchemy as sa
from alembic import op

# (code, column, text until now, text from now); only the old default is replaced.
CLUB_TEXTS = [
    ('koc', 'name_vi', 'Câu lạc bộ KOC (người tiêu dùng có ảnh hưởng)',
     'Câu lạc bộ KOC (người giới thiệu nông sản từ trải nghiệm thật)'),
    ('koc', 'name_en', 'KOC club (key opinion consumers)',
     'KOC club (key opinion consumers: honest reviewers of produce)'),
    ('koc', 'description_vi',
     'Thành viên biết giới thiệu và đánh giá nông sản địa phương một cách trung thực '
     'trên mạng.',
     'KOC là người đã mua, đã dùng và kể lại trải nghiệm thật. Thành viên đã học cách '
     'giới thiệu, đánh giá nông sản địa phương trung thực và nói rõ khi được nhờ hay '
     'được trả công giới thiệu. Thẻ chứng nhận việc học, không chứng nhận chất lượng '
     'sản phẩm nào.'),
    ('koc', 'description_en',
     'Members review and recommend local produce honestly online.',
     'A KOC has bought and used a product and tells others about it honestly. Members '
     'learned to introduce and review local produce truthfully and to say when they '
     'are asked or paid to promote it. The card certifies training, not the quality '
     'of any product.'),
    ('kol', 'name_vi', 'Câu lạc bộ KOL (người bán hàng livestream)',
     'Câu lạc bộ KOL (người dẫn dắt bán nông sản trực tuyến)'),
    ('kol', 'name_en', 'KOL club (farmers who sell live)',
     'KOL club (key opinion leaders selling farm produce online)'),
    ('kol', 'description_vi',
     'Thành viên đã học đủ ba kỹ năng và được giảng viên duyệt bài thực hành: bán '
     'hàng livestream, thiết kế bao bì, dựng cảnh quay.',
     'KOL là người có uy tín, được nhiều người theo dõi và tin lời giới thiệu. Thành '
     'viên đã học đủ ba kỹ năng và được giảng viên duyệt bài thực hành: bán hàng '
     'livestream, thiết kế bao bì, dựng cảnh quay. Thẻ chứng nhận việc học, không '
     'chứng nhận chất lượng sản phẩm nào.'),
    ('kol', 'description_en',
     'Members completed all three skills with their practical work approved: '
     'livestream selling, packaging design, scene setup.',
     'A KOL is trusted and followed by many people who act on their recommendations. '
     'Members completed all three skills with their practical work approved: '
     'livestream selling, packaging design, scene setup. The card certifies '
     'training, not the quality of any product.'),
]


revision = '0014'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    # In place, not a batch copy: SQLite cannot drop "lesson" while learners'
    # progress points at it.
    op.add_column('lesson', sa.Column('reviewed_on', sa.Date(), nullable=True))
    op.add_column('lesson', sa.Column('sources', sa.JSON(), nullable=True))
    op.add_column('lesson', sa.Column('law', sa.Boolean(), server_default=sa.false(), nullable=False))
    _replace_club_texts(old=2, new=3)


def downgrade():
    _replace_club_texts(old=3, new=2)
    with op.batch_alter_table('lesson', schema=None) as batch_op:
        batch_op.drop_column('law')
        batch_op.drop_column('sources')
        batch_op.drop_column('reviewed_on')


def _replace_club_texts(old, new):
    club = sa.table(
        'club', sa.column('code'), sa.column('name_vi'), sa.column('name_en'),
        sa.column('description_vi'), sa.column('description_en'),
    )
    for row in CLUB_TEXTS:
        code, column = row[0], row[1]
        op.execute(
            club.update()
            .where(club.c.code == code, club.c[column] == row[old])
            .values({column: row[new]})
        )
