"""Requests per second under gunicorn (2 workers), each page against bare Flask.

Both servers run at once on 127.0.0.1; the load (wrk, or tests.bench.loadgen in
its own process) goes to one then the other, A B A B, and the median of the
rounds is reported. Rate limits are off in the served app (its factory mapping
sets RATELIMIT_ENABLED False): every request comes from one address.
"""

import json
import os
import statistics
from pathlib import Path

import requests

from tests.bench.context import PHONE_USER_AGENT
from tests.bench.figures import Figure, at_least, at_most
from tests.bench.loadgen import run_load

PHONE_HEADERS = {
    "Accept-Encoding": "gzip, deflate, br",
    "Accept-Language": "vi",
    "User-Agent": PHONE_USER_AGENT,
}


def targets(site, cookie, csrf):
    """(name, path, headers, body, budgeted) for each page put under load."""
    signed_in = {**PHONE_HEADERS, "Cookie": cookie}
    event = {  # each request a lesson its phone has not sent: see run()
        "id": "{id}",
        "type": "lesson.complete",
        "course": "{course}",
        "lesson": "{lesson}",
        "at": "2026-11-22T03:10:00Z",
    }
    sync = {**signed_in, "X-CSRFToken": csrf, "Content-Type": "application/json"}
    lesson = f"/courses/{site.course}/lessons/{site.lesson}"
    return [
        ("lesson page, signed in", lesson, signed_in, None, 0.5, "/lesson"),
        (
            "course page, signed in",
            f"/courses/{site.course}",
            signed_in,
            None,
            0.4,
            "/course",
        ),
        (
            "verify page",
            f"/verify/{site.certificate}",
            PHONE_HEADERS,
            None,
            0.5,
            "/verify",
        ),
        (
            "progress sync, 1 event",
            "/api/v1/progress/sync",
            sync,
            event,
            0.2,
            "/events",
        ),
    ]


def run(ctx):
    site = ctx.site()
    pages = ctx.workdir / "bare-pages.json"
    pages.write_text(json.dumps(fixed_pages(ctx, site), ensure_ascii=False))
    app = ctx.serve("tests.bench.served:app")
    os.environ["LMS_BARE_PAGES"] = str(pages)
    try:
        bare = ctx.serve("tests.bench.bare_app:app")
    finally:
        del os.environ["LMS_BARE_PAGES"]
    try:
        cookie, csrf = ctx.sign_in(app.url)
        seconds, rounds = (3, 2) if ctx.quick else (10, 3)
        figures = []
        senders = None  # the sync phones, signed in when their turn comes
        for name, path, headers, event, budget, bare_path in targets(
            site, cookie, csrf
        ):
            body = None if event is None else json.dumps({"events": [event]})
            if "Cookie" in headers:  # a session as new as the load's
                headers = {**headers, "Cookie": ctx.sign_in(app.url)[0]}
            rotation = None
            if body is not None:
                senders = sync_senders(ctx, app.url, site)
                rotation = {"senders": senders, "lessons": site.sync_lessons}
                rotation["start"] = 0
            bare_headers = _check(
                app.url, bare.url, path, bare_path, headers, body, rotation
            )
            loads = {"app": [], "bare": []}
            warm_up = run_load(app.url + path, 1, 8, headers, body, _next(rotation))
            run_load(bare.url + bare_path, 1, 8, bare_headers, body)
            if rotation is not None:
                rotation["start"] += warm_up.requests
            for _ in range(rounds):
                # Signed in afresh before each round: a session's last-seen time
                # is written once a minute, and wrk sends the cookie it was given,
                # so a session older than that would be written on every request.
                if rotation is not None:
                    rotation["senders"] = sync_senders(ctx, app.url, site)
                elif "Cookie" in headers:
                    headers = {**headers, "Cookie": ctx.sign_in(app.url)[0]}
                app_load = run_load(
                    app.url + path, seconds, 8, headers, body, _next(rotation)
                )
                loads["app"].append(app_load)
                if rotation is not None:
                    rotation["start"] += app_load.requests
                loads["bare"].append(
                    run_load(bare.url + bare_path, seconds, 8, bare_headers, body)
                )
            if body is None:  # still served, and still signed in, after the load
                _check(app.url, bare.url, path, bare_path, headers, body, after=True)
            note = None
            if rotation is not None:
                note = _new_lessons(ctx, rotation["start"], len(senders))
            figures += _figures(name, loads, budget, body is not None, note)
        ctx.notes["memory"] = {
            "app": [proportional_set_size(pid) for pid in app.worker_pids()],
            "bare": [proportional_set_size(pid) for pid in bare.worker_pids()],
        }
    finally:
        app.stop()
        bare.stop()
    return figures


def sync_senders(ctx, app_url, site):
    """The sync phones signed in: the headers each sends its events with."""
    senders = []
    for phone in site.sync_phones:
        cookie, csrf = ctx.sign_in(app_url, phone)
        senders.append({"Cookie": cookie, "X-CSRFToken": csrf})
    return senders


def _next(rotation):
    """The rotation as it stands (a copy: the caller moves its start)."""
    return None if rotation is None else dict(rotation)


def fixed_pages(ctx, site):
    """What the lesson, course and verify pages show, as plain data for bare Flask.

    Taken from the bench database through the app's own code, in Vietnamese, for
    the learner the load signs in; the bare app renders the same templates from it.
    """
    from flask_babel import gettext as _
    from sqlalchemy import select

    from lms import create_app
    from lms.certificates.qr import qr_svg
    from lms.extensions import db
    from lms.models import Certificate, User
    from lms.services import learning
    from lms.services.issuers import certificate_issuer
    from lms.views import learn, public_url
    from lms.views.certificates import display_code

    app = create_app(ctx.bench_config())
    with app.test_request_context(headers={"Accept-Language": "vi"}):
        phone = User.phone.endswith(site.phone[1:])
        user = db.session.scalar(select(User).where(phone))
        learner = {
            "is_authenticated": True,
            "id": user.id,
            "name": user.name,
            "role": user.role,
        }
        course = learn.get_course(site.course)
        lessons = course.active_lessons
        lesson = next(each for each in lessons if each.slug == site.lesson)
        index = lessons.index(lesson)
        done = learning.standing(user, course)[1]
        progress = learning.course_progress(user, course)

        def lesson_data(each):
            return {
                "id": each.id,
                "slug": each.slug,
                "title_vi": each.title_vi,
                "minutes": each.minutes,
                "audio": each.audio,
                "html_en": each.html_en,
            }

        course_data = {
            "slug": course.slug,
            "title_vi": course.title_vi,
            "summary_vi": course.summary_vi,
            "minutes": course.minutes,
            "live_quiz": course.live_quiz is not None,
            "quiz": {"questions_per_attempt": course.quiz.questions_per_attempt}
            if course.quiz
            else None,
            "active_lessons": [lesson_data(each) for each in lessons],
        }
        certificate = db.session.scalar(
            select(Certificate).where(Certificate.code == site.certificate)
        )
        url = public_url("certificates.verify", code=certificate.code)
        holder = certificate.user
        issuer = certificate_issuer(certificate, app.config)
        pages = {
            "lesson": {
                "user": learner,
                "context": {
                    "course": course_data,
                    "lesson": lesson_data(lesson),
                    "body": str(learn._lesson_body(lesson)),
                    "review": learn._review(lesson),
                    "number": index + 1,
                    "count": len(lessons),
                    "previous": lesson_data(lessons[index - 1]) if index else None,
                    "next": lesson_data(lessons[index + 1])
                    if index + 1 < len(lessons)
                    else None,
                    "done": lesson.id in done,
                },
            },
            "course": {
                "user": learner,
                "context": {
                    "course": course_data,
                    "progress": {
                        "enrolled": progress.enrolled,
                        "complete": progress.complete,
                        "lessons_total": progress.lessons_total,
                        "percent": progress.percent,
                        "quiz_passed": progress.quiz_passed,
                        "has_practical": progress.has_practical,
                        "practical_approved": progress.practical_approved,
                    },
                    "done": sorted(done),
                    "next_step": learning.next_step(course, done, progress) is not None,
                },
            },
            "verify": {
                "qr": str(qr_svg(url, _("QR code that opens this check page"))),
                "context": {
                    "certificate": {
                        "user": {
                            "name": holder.name,
                            "area": {"name": holder.area.name} if holder.area else None,
                        },
                        "club": None,
                        "course": {"title_vi": certificate.course.title_vi},
                        "issued_at": _date(certificate.issued_at),
                        "expires_at": certificate.expires_at
                        and _date(certificate.expires_at),
                    },
                    "successor": None,
                    "status": certificate.status(),
                    "code": display_code(certificate.code),
                    "issuer": {  # as the verify page reads it
                        field: getattr(issuer, field)
                        for field in ("name", "email", "phone", "url", "contact")
                    },
                    "url": url,
                },
            },
        }
        # Every route of the app, so bare Flask builds the same links (a link
        # added to a template later cannot break the baseline).
        pages["routes"] = [
            [rule.endpoint, rule.rule]
            for rule in app.url_map.iter_rules()
            if rule.endpoint != "static"
        ]
        db.session.remove()
        db.engine.dispose()
    return pages


def _date(moment):
    from flask_babel import format_date

    return format_date(moment)


def _check(
    app_url, bare_url, path, bare_path, headers, body, rotation=None, after=False
):
    """Check both answer 200 with a valid result (the app's page signed in, when
    it should be); return the headers for the bare app. A sync check sends the
    rotation's first lesson from its first phone, and moves its start past it.
    ``after`` a load, the session may be written: its last-seen time moves once
    a minute, and a full run's loads last longer than that."""
    if body is not None:
        course, lesson = rotation["lessons"][0]
        data = body.replace("{id}", "bench-check-0001").replace("{course}", course)
        answer = requests.post(
            app_url + path,
            data=data.replace("{lesson}", lesson),
            headers={**headers, **rotation["senders"][0]},
        )
        rotation["start"] += 1
        status = answer.json()["results"][0]["status"]
        if answer.status_code != 200 or status != "applied":
            raise RuntimeError(f"sync answered {answer.status_code} {answer.text}")
        return {"Content-Type": "application/json", **PHONE_HEADERS}
    plain = {**headers, "Accept-Encoding": "identity"}
    answer = requests.get(app_url + path, headers=plain, allow_redirects=False)
    if answer.status_code != 200:
        raise RuntimeError(f"{path} answered {answer.status_code}")
    if "Cookie" in headers and "logout" not in answer.text:
        raise RuntimeError(f"{path} was not signed in")
    if "Cookie" in headers and "Set-Cookie" in answer.headers and not after:
        # A phone keeps the cookie it was sent: a session is not written again.
        raise RuntimeError(f"{path} wrote the session again: {answer.headers}")
    bare = requests.get(bare_url + bare_path, headers=PHONE_HEADERS)
    if bare.status_code != 200:
        raise RuntimeError(f"bare {bare_path} answered {bare.status_code}")
    return PHONE_HEADERS


def _new_lessons(ctx, sent, phones):
    """Check that the sync load wrote a new lesson for (nearly) every event sent;
    return the note that says so."""
    import sqlalchemy as sa

    url = ctx.database_url.replace("postgresql://", "postgresql+psycopg://")
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        written = connection.execute(
            sa.text(
                'SELECT count(*) FROM lesson_progress JOIN "user" AS u'
                " ON u.id = lesson_progress.user_id WHERE u.phone LIKE '+8491300%'"
            )
        ).scalar()
    engine.dispose()
    if written < 0.95 * sent:
        raise RuntimeError(f"sync: {sent} events sent, {written} lessons written")
    return f"{written:,} new lessons from {phones} phones"


def _figures(name, loads, budget, is_sync, extra_note=None):
    def median(side, field):
        return statistics.median(getattr(load, field) for load in loads[side])

    tool = loads["app"][0].tool
    errors = sum(load.errors for side in loads.values() for load in side)
    note = f"load: {tool}" + (f"; {errors} errors" if errors else "")
    note += f"; {extra_note}" if extra_note else ""
    rps, bare_rps = median("app", "rps"), median("bare", "rps")
    verdict = "miss" if errors else at_least(budget, rps / bare_rps)
    baseline_of = "bare Flask, JSON POST" if is_sync else "bare Flask, same template"
    figures = [
        Figure(
            "throughput",
            f"{name}: req/s",
            f">= {budget:.0%} of bare",
            rps,
            "req/s",
            bare_rps,
            baseline_of,
            verdict,
            note,
        )
    ]
    for field, label in (("p50_ms", "p50"), ("p99_ms", "p99")):
        p99_budget = is_sync and label == "p99"
        measured = median("app", field)
        figures.append(
            Figure(
                "throughput",
                f"{name}: {label}",
                "<= 50 ms" if p99_budget else "",
                measured,
                "ms",
                median("bare", field),
                "bare Flask",
                at_most(50, measured) if p99_budget else "info",
            )
        )
    return figures


def proportional_set_size(pid):
    """PSS of a process in bytes, from /proc/PID/smaps_rollup."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no Pss for {pid}")
