"""Exports of a report: the same tables as the page, as CSV or XLSX.

Text cells that a spreadsheet would read as a formula are neutralised: in CSV with a
leading apostrophe, in XLSX by storing every text as a text cell (an apostrophe
there would show as part of the text, e.g. in a masked "+84 9x xxx xx78").
"""

import csv
import io
from datetime import date
from itertools import chain

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Make text that starts like a formula plain text; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(out, rows):
    """Write ``rows`` to the text stream ``out``, every text cell neutralised.

    Every CSV the site makes goes through here: none can carry a formula.
    """
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])


def to_csv(sheets):
    """One CSV: each sheet's title, its rows, then a blank line."""
    out = io.StringIO()
    for title, rows in sheets:
        write_csv(out, chain([[title]], rows, [[]]))
    # A byte order mark, so spreadsheet programs read Vietnamese as UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


class Described(list):
    """Rows of a label and its value (what a report counts), not a table: in a
    workbook the labels are bold and no row is a heading."""


def to_xlsx(sheets):
    """One workbook with a worksheet per sheet. A table's first row is its
    heading: bold, kept in view while scrolling, each column as wide as its
    heading reads (rows are written as they come: they are not measured).
    (openpyxl is imported here: about 6 MB, in the process that runs exports.)"""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)

    def cells(sheet, row, bold_columns):
        made = [_xlsx_cell(sheet, value, WriteOnlyCell, always=True) for value in row]
        for cell in made[:bold_columns]:
            cell.font = bold
        return made

    def widths(sheet, lengths):
        for column, length in enumerate(lengths, start=1):
            width = min(max(length + 2, 10), 45)
            sheet.column_dimensions[get_column_letter(column)].width = width

    book = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = book.create_sheet(title=_sheet_title(title))
        if isinstance(rows, Described):
            widths(sheet, [max((len(str(row[0])) for row in rows), default=0), 40])
            for row in rows:
                sheet.append(cells(sheet, row, 1))
            continue
        rows = iter(rows)
        heading = next(rows, None)
        if heading is None:
            continue
        widths(sheet, [len(str(value)) for value in heading])
        sheet.freeze_panes = "A2"
        sheet.append(cells(sheet, heading, len(heading)))
        for row in rows:
            sheet.append([_xlsx_cell(sheet, cell, WriteOnlyCell) for cell in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_cell(sheet, value, cell_type, always=False):
    """Text as a text cell: openpyxl would make "=..." a formula. A day as a
    date cell shown as 2026-11-30, as the CSV writes it. Other values as they
    are, or as a cell too with ``always`` (to be styled)."""
    if isinstance(value, date):
        cell = cell_type(sheet, value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    if not isinstance(value, str):
        return cell_type(sheet, value) if always else value
    cell = cell_type(sheet, value)
    cell.data_type = "s"
    return cell


def _sheet_title(title):
    cleaned = "".join(c for c in title if c not in "[]:*?/\\")
    return cleaned[:31] or "Sheet"


FORMATS = {
    "csv": ("text/csv", to_csv),  # Flask adds "; charset=utf-8"
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        to_xlsx,
    ),
}
