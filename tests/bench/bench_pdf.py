"""Time certificate PDFs against the 100 ms budget.

Run: .venv/bin/python -m tests.bench.bench_pdf [N]

Renders N (default 50) certificates with distinct holders, so the memo never hits,
and, in the same run as a baseline, a one-line fpdf2 PDF with the same font.
"""

import statistics
import sys
import time

from fpdf import FPDF

from lms.certificates.issuing import display_code, new_code
from lms.certificates.pdf import FONT, FONT_DIR, render_certificate_pdf

BUDGET_MS = 100
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
        "status_note": "ĐÃ THU HỒI" if i % 5 == 0 else None,
        "labels": LABELS,
    }


def one_line_pdf(i):
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.add_font(FONT, "", FONT_DIR / "BeVietnamPro-Regular.ttf")
    pdf.add_page()
    pdf.set_font(FONT, "", 12)
    pdf.cell(text=f"Nguyễn Thị Ngọc Ánh {i}")
    return bytes(pdf.output())


def timed(fn, args):
    times = []
    for arg in args:
        start = time.perf_counter()
        fn(arg)
        times.append((time.perf_counter() - start) * 1000)
    return times


def summary(times):
    return statistics.median(times), statistics.quantiles(times, n=20)[-1]


def main(n=50):
    start = time.perf_counter()
    render_certificate_pdf(**certificate(-1))  # imports and first font parse
    first_ms = (time.perf_counter() - start) * 1000
    one_line_pdf(-1)
    kwargs = [certificate(i) for i in range(n)]
    certificate_ms = summary(timed(lambda kw: render_certificate_pdf(**kw), kwargs))
    baseline_ms = summary(timed(one_line_pdf, range(n)))
    memo_ms = summary(timed(lambda kw: render_certificate_pdf(**kw), kwargs))

    print(
        f"certificate PDF, {n} distinct: median {certificate_ms[0]:.1f} ms, "
        f"p95 {certificate_ms[1]:.1f} ms (first call {first_ms:.1f} ms)"
    )
    print(
        f"baseline one-line PDF, same font: median {baseline_ms[0]:.1f} ms, "
        f"p95 {baseline_ms[1]:.1f} ms"
    )
    print(
        f"ratio certificate / baseline (median): "
        f"{certificate_ms[0] / baseline_ms[0]:.2f}"
    )
    print(f"memoised repeat: median {memo_ms[0] * 1000:.1f} µs")
    verdict = "pass" if certificate_ms[1] <= BUDGET_MS else "miss"
    print(f"budget {BUDGET_MS} ms per certificate (p95): {verdict}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
