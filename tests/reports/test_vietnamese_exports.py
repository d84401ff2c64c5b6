"""Vietnamese exports and pagers say what they mean, with no English left in."""

import csv
import io
import re

import pytest

from lms.reports import learners
from tests.conftest import make_user
from tests.downloads import exported
from tests.helpers import xlsx_sheets

# Words of the English interface that would betray an untranslated cell.
ENGLISH = re.compile(
    r"\b(Previous|Next|Change|Figure|Value|Area|Areas|Week|Course|Filters|Learners?"
    r"|Overview|Period|Phone|Name|Clubs?|Lessons?|Certificates?|Commune|quiz"
    r"|practical|approved|waiting|review|needs|work|All|None|True|False)\b"
)


def cells(response, fmt):
    if fmt == "xlsx":
        sheets = xlsx_sheets(response.data)
        values = [str(v) for rows in sheets.values() for row in rows for v in row if v]
        return list(sheets) + values
    text = response.data.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_vietnamese_exports_hold_no_english(reader, province, fmt):
    official = reader("official_p")
    found = []
    for url in (f"/reports/export.{fmt}?period=90", f"/reports/learners.{fmt}"):
        found += cells(exported(official, url), fmt)
    class_csv = exported(
        reader("trainer"), f"/teach/classes/{province['class_a'].id}/roster.csv"
    )
    found += cells(class_csv, "csv")
    assert "Kỳ trước" in found
    assert [cell for cell in found if ENGLISH.search(cell)] == []


def test_report_pager_says_page_not_lesson(reader, province):
    for number in range(learners.PAGE_SIZE):
        make_user(phone=f"09150{number:05d}", name=f"Nông dân {number}", area="P-A")
    official = reader("official_p")
    first, second = (official.get(f"/reports/learners?page={n}").text for n in (1, 2))
    assert "Trang sau →" in first and "← Trang trước" in second
    for page in (first, second):
        assert "Bài trước" not in page and "Bài sau" not in page


def test_a_page_past_the_end_leads_to_the_last_page(reader, province):
    official = reader("official_p")
    answer = official.get("/reports/learners?page=99999&order=family")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/reports/learners?page=1&order=family"
    assert "99.999" not in official.get(answer.headers["Location"]).text
