"""Certificate PDFs and the verify page.

PDF: median time to render one certificate (distinct holders, so the renderer's
memo never answers), against fpdf2 writing a one-page PDF with the same font and
one line of text. Verify page: median latency of one request at a time under
gunicorn, against bare Flask rendering a page of the same size.
"""

import statistics
import time

import requests
from fpdf import FPDF

from lms.certificates.codes import display_code
from lms.certificates.pdf import FONT, FONT_DIR, render_certificate_pdf
from lms.services.certificates import new_code
from tests.bench.figures import Figure, at_most

LABELS = {
    "issued": "Ngày cấp",
    "expires": "Hết hạn",
    "code": "Mã chứng nhận",
    "scan": "Quét mã QR để kiểm tra chứng nhận này là thật",
}
NAMES = ["Nguyễn Thị Ngọc Ánh", "Trần Văn Đức", "Lê Hoàng Phương Thảo", "Phạm Quốc Bảo"]


def certificate(i):
    code = new_code()
    return {
        "holder": f"{NAMES[i % len(NAMES)]} {i}",
        "title": "Bán hàng qua livestream",
        "kind_label": "CHỨNG NHẬN HOÀN THÀNH KHOÁ HỌC",
        "issued_on": "01/07/2025",
        "expires_on": "01/07/2027" if i % 2 else None,
        "code": display_code(code),
        "verify_url": f"https://hocvien.example.vn/verify/{code}",
        "issuer": "Học viện Kỹ năng số cho Nông dân",
        "status_note": None,
        "labels": LABELS,
    }


def one_line_pdf(i):
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.add_font(FONT, "", FONT_DIR / "BeVietnamPro-Regular.ttf")
    pdf.add_page()
    pdf.set_font(FONT, "", 12)
    pdf.cell(text=f"Nguyễn Thị Ngọc Ánh {i}")
    return bytes(pdf.output())


def median_ms(call, args):
    times = []
    for arg in args:
        start = time.perf_counter()
        call(arg)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def pdf_figure(n):
    render_certificate_pdf(**certificate(-1))  # imports and the first font parse
    one_line_pdf(-1)
    kwargs = [certificate(i) for i in range(n)]
    measured = median_ms(lambda kw: render_certificate_pdf(**kw), kwargs)
    baseline = median_ms(one_line_pdf, range(n))
    return Figure(
        "certificates",
        f"certificate PDF, median of {n}",
        "<= 100 ms",
        measured,
        "ms",
        baseline,
        "fpdf2 one-line PDF, same font",
        at_most(100, measured),
    )


def verify_figure(ctx, n):
    site = ctx.site()
    app = ctx.serve("tests.bench.served:app")
    bare = ctx.serve("tests.bench.bare_app:app")
    try:
        url = f"{app.url}/verify/{site.certificate}"
        size = len(requests.get(url, headers={"Accept-Encoding": "identity"}).content)
        bare_url = f"{bare.url}/page?bytes={size}"
        for _ in range(5):  # warm both workers
            requests.get(url).raise_for_status()
            requests.get(bare_url).raise_for_status()
        measured = median_ms(lambda _: requests.get(url).raise_for_status(), range(n))
        baseline = median_ms(lambda _: requests.get(bare_url), range(n))
    finally:
        app.stop()
        bare.stop()
    return Figure(
        "certificates",
        f"verify page latency, median of {n}",
        "",
        measured,
        "ms",
        baseline,
        "bare Flask, same size",
    )


def run(ctx):
    n = 20 if ctx.quick else 100
    return [pdf_figure(n), verify_figure(ctx, n)]
