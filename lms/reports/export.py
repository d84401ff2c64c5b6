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


def to_xlsx(sheets):
    """One workbook with a worksheet per sheet. (openpyxl is imported here: about
    6 MB, in the process that runs exports only.)"""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = book.create_sheet(title=_sheet_title(title))
        for row in rows:
            sheet.append([_xlsx_cell(sheet, cell, WriteOnlyCell) for cell in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_cell(sheet, value, cell_type):
    """Text as a text cell: openpyxl would make "=..." a formula. A day as a
    date cell shown as 2026-11-30, as the CSV writes it."""
    if isinstance(value, date):
        cell = cell_type(sheet, value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    if not isinstance(value, str):
        return value
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
