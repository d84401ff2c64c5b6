"""Draw a certificate as a one-page A4 PDF: pure input in, bytes out."""

import io
import unicodedata
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import segno
from fpdf import FPDF

FONT = "BeVietnamPro"
FONT_DIR = Path(__file__).parent / "fonts"
# A fixed date so the same certificate always gives the same bytes.
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)

PAGE_W, PAGE_H = 297, 210  # mm, A4 landscape
LEFT, WIDTH = 30, 237  # the text column inside the frame
STAMP_Y = 112  # the status note's centre line, above the dates and QR code
GREEN, GOLD, RED = (22, 84, 52), (176, 141, 62), (200, 30, 30)
INK, GREY = (25, 25, 25), (95, 95, 95)


def render_certificate_pdf(
    *,
    holder: str,
    title: str,
    kind_label: str,
    issued_on: str,
    expires_on: str | None,
    code: str,
    verify_url: str,
    issuer: str,
    issuer_contact: str | None = None,
    status_note: str | None = None,
    labels: dict,
) -> bytes:
    """Return the certificate as PDF bytes, memoised for repeated downloads.

    ``labels`` holds the translated captions "issued", "expires", "code", "scan".
    """
    return _render(
        holder,
        title,
        kind_label,
        issued_on,
        expires_on,
        code,
        verify_url,
        issuer,
        issuer_contact,
        status_note,
        tuple(sorted(labels.items())),
    )


@lru_cache(maxsize=256)
def _render(
    holder,
    title,
    kind_label,
    issued_on,
    expires_on,
    code,
    verify_url,
    issuer,
    issuer_contact,
    status_note,
    labels,
):
    def nfc(text):
        return unicodedata.normalize("NFC", text or "")

    label = {key: nfc(value) for key, value in labels}
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)  # one page, whatever the text
    pdf.set_creation_date(EPOCH)
    pdf.set_lang("vi")
    pdf.set_title(nfc(f"{kind_label}: {holder}"))
    pdf.set_author(nfc(issuer))
    pdf.set_creator(nfc(issuer))
    pdf.add_font(FONT, "", FONT_DIR / "BeVietnamPro-Regular.ttf")
    pdf.add_font(FONT, "B", FONT_DIR / "BeVietnamPro-Bold.ttf")
    pdf.add_page()

    # A double frame: a strong outer rule and a fine gold inner one.
    pdf.set_draw_color(*GREEN)
    pdf.set_line_width(1.4)
    pdf.rect(10, 10, PAGE_W - 20, PAGE_H - 20)
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.4)
    pdf.rect(14, 14, PAGE_W - 28, PAGE_H - 28)

    y = _centred(pdf, nfc(issuer), 26, "B", 14, GREEN)
    if issuer_contact:
        y = _centred(pdf, nfc(issuer_contact), y + 1, "", 9, GREY)
    pdf.set_line_width(0.6)
    pdf.line(PAGE_W / 2 - 25, y + 3, PAGE_W / 2 + 25, y + 3)
    y = _centred(pdf, nfc(kind_label), y + 11, "B", 24, GREEN)
    y = _centred(pdf, nfc(holder), y + 12, "B", 40, INK)
    y = _centred(pdf, nfc(title), y + 6, "", 20, GREY)

    # Dates and code at the bottom left, the QR code at the bottom right.
    rows = [(label["issued"], nfc(issued_on))]
    if expires_on:
        rows.append((label["expires"], nfc(expires_on)))
    rows.append((label["code"], nfc(code)))
    y = 140
    for caption, value in rows:
        pdf.set_xy(LEFT, y)
        pdf.set_font(FONT, "", 10)
        pdf.set_text_color(*GREY)
        pdf.cell(0, 5, caption)
        pdf.set_xy(LEFT, y + 5)
        pdf.set_font(FONT, "B", 13)
        pdf.set_text_color(*INK)
        pdf.cell(0, 7, value)
        y += 14

    png = io.BytesIO()
    segno.make(verify_url, error="m").save(png, kind="png", scale=4, border=4)
    qr_size, qr_x = 40, LEFT + WIDTH - 40
    pdf.image(png, x=qr_x, y=134, w=qr_size, h=qr_size)
    pdf.set_xy(qr_x - 8, 135 + qr_size)
    pdf.set_font(FONT, "", 9)
    pdf.set_text_color(*GREY)
    pdf.multi_cell(qr_size + 16, 4.2, label["scan"], align="C")

    if status_note:
        # Across the middle, where no one can miss it, but clear of the QR code.
        with pdf.local_context(fill_opacity=0.75):
            with pdf.rotation(angle=12, x=PAGE_W / 2, y=STAMP_Y):
                note = nfc(status_note)
                _centred(pdf, note, STAMP_Y - 14, "B", 64, RED, lines=1, width=170)
    return bytes(pdf.output())


def _centred(pdf, text, y, style, size, colour, *, lines=2, width=WIDTH):
    """Write ``text`` centred below ``y`` and return the y under it.

    Shrink the font until the text fits on one line; rather than go under 70%
    of ``size``, wrap it onto up to ``lines`` lines, down to a third of ``size``.
    """
    pdf.set_text_color(*colour)
    pdf.set_font(FONT, style, size)
    room = width - 2 * pdf.c_margin - 0.1  # multi_cell keeps a margin each side
    # Without shaping or letter spacing, a string's width grows in step with size.
    one_line = size * room / max(pdf.get_string_width(text), room)
    if one_line >= size * 0.7:
        size = int(one_line)
    else:
        floor = size // 3
        size = max(floor, min(int(size * 0.7), int(one_line * lines)))
        while size > floor:
            pdf.set_font(FONT, style, size)
            wrapped = pdf.multi_cell(width, text=text, dry_run=True, output="LINES")
            if len(wrapped) <= lines:
                break
            size -= 1
    pdf.set_font(FONT, style, size)
    pdf.set_xy((PAGE_W - width) / 2, y)
    pdf.multi_cell(width, size * 0.45, text, align="C")
    return pdf.get_y()
