"""The heavy cases of the load bench: a burst of phones syncing at once, and a
trainer whose requests are slow on purpose while farmers keep writing.

Both run as people of tests.bench._people (same phones, same log), chosen with
`python -m tests.bench.load --burst` and `--slow`.
"""

import io
import random
import time
import uuid

from tests.bench._people import acknowledged, sync_batch

BURST_EVENTS = 100  # events each phone sends in its one batch
SLOW_PREVIEW_KB = 60  # Markdown the slow trainer previews: seconds of rendering
SLOW_REGISTRATION = 2000  # farmers in the slow trainer's CSV import
SLOW_FARMER_PHONE = "+8496{:07d}"


def burst(phone, courses, at):
    """Wait for the moment every phone syncs; send a day offline in one batch."""
    time.sleep(max(0, at - time.time()))
    events = []
    for _ in range(BURST_EVENTS):
        course = random.choice(courses)
        events.append(
            {
                "id": str(uuid.uuid4()),
                "course": course["slug"],
                "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "type": "lesson.complete",
                "lesson": random.choice(course["lessons"]),
            }
        )
    sync_batch(phone, events, kind="sync 100 events (burst)")


def slow_trainer(phone, class_id, number):
    """Long previews and big imports, back to back, for the whole run."""
    markdown = _long_lesson(SLOW_PREVIEW_KB * 1000)
    rounds = 0
    while phone.left() > 0:
        phone.get("slow: teaching page", "/teach")
        phone.request(
            f"slow: preview {SLOW_PREVIEW_KB} KB",
            "POST",
            "/teach/preview",
            data={"text": markdown},
            headers={"X-CSRFToken": phone.csrf},
        )
        rows = ["name,phone,area"] + [
            f"Nông dân {number}-{rounds}-{k},"
            f"{SLOW_FARMER_PHONE.format(rounds * 10_000 + k)},"
            for k in range(SLOW_REGISTRATION)
        ]
        response = phone.request(
            f"slow: import {SLOW_REGISTRATION} (CSV)",
            "POST",
            f"/teach/classes/{class_id}/register",
            data={"csrf_token": phone.csrf},
            files={"file": ("lop.csv", io.BytesIO("\n".join(rows).encode()))},
        )
        if response is not None and not acknowledged(response):
            phone.log.add("violations", [phone.phone, "registration refused"])
        rounds += 1


def _long_lesson(size):
    """A long, ordinary lesson: headings, paragraphs, lists, emphasis, links."""
    part = (
        "## Ánh sáng khi livestream\n\n"
        "Đặt **đèn** chếch 45 độ, tránh *ngược sáng*; xem [hướng dẫn]"
        "(https://example.vn/den).\n\n"
        "- Lau sạch ống kính điện thoại\n- Bật chế độ không làm phiền\n"
        "- Kiểm tra mạng trước khi lên sóng\n\n"
        "1. Chào người xem\n2. Giới thiệu vải thiều\n3. Báo giá và cách đặt\n\n"
    )
    return (part * (size // len(part) + 1))[:size]
