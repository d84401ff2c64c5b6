"""The certificate PDF, read back with a real PDF engine and a real QR decoder."""

import re
import unicodedata

import pypdfium2 as pdfium
import pytest
import zxingcpp

from lms.certificates import pdf as certificate_pdf
from lms.certificates.codes import display_code
from lms.certificates.pdf import render_certificate_pdf

CODE = "MFRGGZDFMZTWQ2LKNNWG23TPOA"
LABELS = {
    "issued": "Ngày cấp",
    "expires": "Hết hạn",
    "code": "Mã chứng nhận",
    "scan": "Quét mã QR để kiểm tra chứng nhận này là thật",
}
CERTIFICATE = {
    "holder": "Nguyễn Thị Ngọc Ánh",
    "title": "Bán hàng qua livestream",
    "kind_label": "CHỨNG NHẬN HOÀN THÀNH KHOÁ HỌC",
    "issued_on": "01/07/2025",
    "expires_on": "01/07/2027",
    "code": display_code(CODE),
    "verify_url": f"https://hocvien.example.vn/verify/{CODE}",
    "issuer": "Học viện Kỹ năng số cho Nông dân",
    "labels": LABELS,
}


def nfc(text):
    return unicodedata.normalize("NFC", text)


def open_pdf(data):
    document = pdfium.PdfDocument(data)
    assert len(document) == 1
    return document


def page_text(data):
    """The page's text, NFC, with line breaks and runs of spaces as one space."""
    document = open_pdf(data)
    try:
        text = document[0].get_textpage().get_text_range()
    finally:
        document.close()
    return " ".join(nfc(text).split())


def decode_qr(data):
    document = open_pdf(data)
    try:
        image = document[0].render(scale=3).to_pil()
    finally:
        document.close()
    return [barcode.text for barcode in zxingcpp.read_barcodes(image)]


def test_text_holds_everything_a_reader_checks():
    text = page_text(render_certificate_pdf(**CERTIFICATE))
    for expected in [
        "Nguyễn Thị Ngọc Ánh",
        "Bán hàng qua livestream",
        "CHỨNG NHẬN HOÀN THÀNH KHOÁ HỌC",
        "MFRG-GZDF-MZTW-Q2LK-NNWG-23TP-OA",
        "Ngày cấp 01/07/2025",
        "Hết hạn 01/07/2027",
        "Học viện Kỹ năng số cho Nông dân",
        "Quét mã QR để kiểm tra chứng nhận này là thật",
    ]:
        assert nfc(expected) in text
    assert "ĐÃ THU HỒI" not in text


def test_status_note_is_printed():
    data = render_certificate_pdf(**CERTIFICATE, status_note="ĐÃ THU HỒI")
    assert nfc("ĐÃ THU HỒI") in page_text(data)


def test_without_expiry_there_is_no_expiry_line():
    text = page_text(render_certificate_pdf(**{**CERTIFICATE, "expires_on": None}))
    assert "Hết hạn" not in text
    assert "01/07/2025" in text


def test_decomposed_input_is_drawn_as_composed_letters():
    holder = unicodedata.normalize("NFD", "Nguyễn Thị Ngọc Ánh")
    data = render_certificate_pdf(**{**CERTIFICATE, "holder": holder})
    document = open_pdf(data)
    try:
        raw = document[0].get_textpage().get_text_range()
    finally:
        document.close()
    assert nfc("Nguyễn Thị Ngọc Ánh") in raw  # not normalised by the test


@pytest.mark.parametrize("status_note", [None, "ĐÃ THU HỒI"])
def test_qr_code_scans_to_the_verify_url(status_note):
    data = render_certificate_pdf(**CERTIFICATE, status_note=status_note)
    assert decode_qr(data) == [CERTIFICATE["verify_url"]]


def test_page_is_a4_landscape():
    document = open_pdf(render_certificate_pdf(**CERTIFICATE))
    try:
        width, height = document[0].get_size()
    finally:
        document.close()
    assert width == pytest.approx(841.89, abs=1)
    assert height == pytest.approx(595.28, abs=1)


def test_font_is_embedded():
    data = render_certificate_pdf(**CERTIFICATE)
    names = re.findall(rb"/FontName /[A-Z]{6}\+(\S+)", data)
    assert names and all(name.startswith(b"BeVietnamPro") for name in names)
    assert data.count(b"/FontFile2") == len(names)


def test_very_long_name_and_title_stay_on_one_page():
    holder = (
        "Tôn Nữ Hoàng Thị Phương Thảo Nguyễn Lê Bảo Ngọc Trâm Anh Khánh Linh "
        "Đặng Vũ Quỳnh Như Ý Mỹ Hạnh Công Tằng Tôn Nữ Diễm Kiều Thuỵ Vy"
    )
    title = "Thiết kế bao bì và dựng cảnh quay cho nông sản đặc sản vùng miền " * 3
    data = render_certificate_pdf(**{**CERTIFICATE, "holder": holder, "title": title})
    text = page_text(data)  # open_pdf checks it is one page
    assert nfc(holder) in text
    assert " ".join(nfc(title).split()) in text
    assert decode_qr(data) == [CERTIFICATE["verify_url"]]


def test_same_input_gives_same_bytes_and_is_memoised():
    first = render_certificate_pdf(**CERTIFICATE)
    reordered = dict(reversed(list(LABELS.items())))
    assert render_certificate_pdf(**{**CERTIFICATE, "labels": reordered}) is first
    labels = tuple(sorted(LABELS.items()))
    unmemoised = certificate_pdf._render.__wrapped__
    fresh = unmemoised(
        **{**CERTIFICATE, "issuer_contact": None, "status_note": None, "labels": labels}
    )
    assert fresh == first
