"""What the load bench reports: the people's figures and the database's answer."""

import statistics
from collections import Counter, defaultdict

import sqlalchemy as sa

from tests.bench._people import BUSY

ATTEMPT_ID = "/quiz/attempts/"


def app_for(env):
    """The application on the bench's database, for setting up and checking."""
    from lms import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"],
            "SECRET_KEY": env["SECRET_KEY"],
            "LMS_UPLOAD_DIR": env["LMS_UPLOAD_DIR"],
            "RATELIMIT_ENABLED": False,
        }
    )


class Report:
    """Requests, throughput, latency percentiles and errors per kind of request."""

    def __init__(self, logs, kills, seconds, slack):
        self.logs = logs
        self.seconds = seconds
        self.windows = [(start, end + slack) for start, end, _ in kills]
        self.tries = [t for log in logs for t in log["tries"]]
        self.violations = [v for log in logs for v in log["violations"]]
        self.rejected = [
            e
            for log in logs
            for e in log["events"]
            if e["result"]["status"] == "rejected"
        ]

    def during_kill(self, end):
        return any(start <= end <= stop for start, stop in self.windows)

    def print_table(self):
        kinds = defaultdict(list)
        for t in self.tries:
            kinds[t[0]].append(t)
        head = (
            f"{'request':<28}{'answered':>9}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}"
            f"{'p99 ms':>9}{'errors':>8}{'503 busy':>9}{'no answer':>10}"
            f"{'(in kill)':>10}"
        )
        print("\n" + head + "\n" + "-" * len(head))
        for kind in sorted(kinds, key=lambda k: -len(kinds[k])):
            print(self._row(kind, kinds[kind]))
        print("-" * len(head))
        print(self._row("all", self.tries))
        statuses = Counter(
            t[4] or t[1] for t in self.tries if t[1] is not None and _is_error(t)
        )
        if statuses:
            print(
                "error statuses: " + ", ".join(f"{s}: {n}" for s, n in statuses.items())
            )

    def _row(self, kind, tries):
        answered = [t for t in tries if t[1] is not None]
        times = sorted(t[2] for t in answered) or [0.0]
        cuts = statistics.quantiles(times, n=100) if len(times) > 1 else times * 99
        errors = sum(1 for t in answered if _is_error(t))
        lost = [t for t in tries if t[1] is None]
        in_kill = sum(1 for t in lost if self.during_kill(t[3]))
        return (
            f"{kind:<28}{len(answered):>9}{len(answered) / self.seconds:>8.1f}"
            f"{statistics.median(times):>9.0f}{cuts[94]:>9.0f}{cuts[98]:>9.0f}"
            f"{errors:>8}{sum(1 for t in answered if _busy(t)):>9}"
            f"{len(lost):>10}{in_kill:>10}"
        )

    def print_verdict(self, found):
        """Print the summary lines; return True when the run failed."""
        app_errors = sum(1 for t in self.tries if t[1] is not None and _is_error(t))
        lost = [t for t in self.tries if t[1] is None]
        outside = [t for t in lost if not self.during_kill(t[3])]
        busy = sum(1 for t in self.tries if t[1] is not None and _busy(t))
        print(
            f"\nerrors the application returned: {app_errors}; "
            f"sync events rejected: {len(self.rejected)}; "
            f"503 with Retry-After, waited out and sent again: {busy}"
        )
        print(
            f"requests without an answer: {len(lost)} "
            f"({len(lost) - len(outside)} during the kill, {len(outside)} outside)"
        )
        for what, (acked, present) in found["writes"].items():
            print(f"{what}: {acked} acknowledged, {present} found in the database")
        for problem in found["problems"] + [str(v)[:300] for v in self.violations]:
            print(f"PROBLEM: {problem}")
        if found["integrity"] is not None:
            print(f"SQLite integrity_check: {found['integrity']}")
        failed = bool(
            app_errors
            or self.rejected
            or outside
            or self.violations
            or found["problems"]
            or found["integrity"] not in (None, "ok")
        )
        print("RESULT: " + ("FAILED" if failed else "ok: no errors, no lost writes"))
        return failed


def _is_error(answered):
    """An answer that is an error status, or a redirect to the sign-in page;
    not a 503 with Retry-After that the phone waited out and tried again."""
    return not _busy(answered) and (answered[1] >= 400 or bool(answered[4]))


def _busy(answered):
    return answered[4] == BUSY


def check_database(app, logs):
    """Every acknowledged write is in the database, exactly once."""
    from lms.extensions import db
    from lms.models import (
        AuditEvent,
        Course,
        Lesson,
        LessonProgress,
        QuizAttempt,
        SyncEvent,
        User,
    )

    with app.app_context():
        users = dict(db.session.execute(sa.select(User.phone, User.id)).all())
        lesson_ids = {
            (course, slug): lesson_id
            for lesson_id, slug, course in db.session.execute(
                sa.select(Lesson.id, Lesson.slug, Course.slug).join(Lesson.course)
            )
        }
        progress = Counter(
            db.session.execute(
                sa.select(LessonProgress.user_id, LessonProgress.lesson_id)
            ).all()
        )
        events = Counter(db.session.scalars(sa.select(SyncEvent.event_id)))
        event_users = dict(
            db.session.execute(sa.select(SyncEvent.event_id, SyncEvent.user_id)).all()
        )
        attempts = dict(
            db.session.execute(sa.select(QuizAttempt.id, QuizAttempt.user_id)).all()
        )
        exports = Counter(
            db.session.scalars(
                sa.select(AuditEvent.actor_id).where(
                    AuditEvent.action == "report.export"
                )
            )
        )
        integrity = None
        if db.engine.dialect.name == "sqlite":
            integrity = db.session.execute(sa.text("PRAGMA integrity_check")).scalar()
        db.session.rollback()
        db.engine.dispose()

    problems = []
    lessons = [
        (users[p], lesson_ids[(c, s)]) for log in logs for p, c, s in log["lessons"]
    ]
    acked_events = [
        e for log in logs for e in log["events"] if e["result"]["status"] != "rejected"
    ]
    for event in acked_events:
        if event["type"] == "lesson.complete":
            lessons.append(
                (users[event["phone"]], lesson_ids[(event["course"], event["lesson"])])
            )
    form_attempts = [(users[p], a) for log in logs for p, a in log["attempts"]]
    sync_attempts = [
        (users[e["phone"]], int(e["result"]["quiz"]["attempt"].rpartition("/")[2]))
        for e in acked_events
        if e["type"] == "quiz.submit"
    ]

    for key, count in progress.items():
        if count > 1:
            problems.append(f"lesson progress {key} stored {count} times")
    for event_id, count in events.items():
        if count > 1:
            problems.append(f"sync event {event_id} stored {count} times")
    missing = [k for k in set(lessons) if k not in progress]
    problems += [f"acknowledged lesson completion missing: {k}" for k in missing]
    event_found = 0
    for event in acked_events:
        if event_users.get(event["id"]) == users[event["phone"]]:
            event_found += 1
        else:
            problems.append(f"acknowledged sync event missing: {event['id']}")
    attempt_keys = form_attempts + sync_attempts
    attempt_found = sum(1 for user, a in attempt_keys if attempts.get(a) == user)
    if attempt_found < len(attempt_keys):
        problems.append(f"{len(attempt_keys) - attempt_found} quiz attempts missing")
    if len({a for _, a in sync_attempts}) != len(
        set(e["id"] for e in acked_events if e["type"] == "quiz.submit")
    ):
        problems.append("two sync events share one quiz attempt")
    problems += _extra_rows(logs, users, attempts, attempt_keys, events, acked_events)
    acked_exports = Counter(users[p] for log in logs for (p,) in log["exports"])
    export_found = sum(min(n, exports[user]) for user, n in acked_exports.items())
    if export_found < acked_exports.total():
        problems.append(
            f"{acked_exports.total() - export_found} report downloads not audited"
        )
    return {
        "writes": {
            "lesson completions (form and sync)": (
                len(set(lessons)),
                len(set(lessons)) - len(missing),
            ),
            "sync events": (len(acked_events), event_found),
            "quiz attempts (form and sync)": (len(attempt_keys), attempt_found),
            "report downloads (audit events)": (acked_exports.total(), export_found),
        },
        "problems": problems,
        "integrity": integrity,
    }


def _extra_rows(logs, users, attempts, attempt_keys, events, acked_events):
    """Rows nobody acknowledged must come from requests whose answer was lost."""
    unknown = Counter(users[phone] for log in logs for phone, _ in log["unknown"])
    unknown_ids = {
        event_id
        for log in logs
        for _, what in log["unknown"]
        if isinstance(what, list)
        for event_id in what
    }
    problems = []
    acked = {e["id"] for e in acked_events}
    for event_id in events:
        if event_id not in acked and event_id not in unknown_ids:
            problems.append(
                f"sync event {event_id} stored but never sent as acknowledged"
            )
    per_user = Counter(attempts.values())
    acked_per_user = Counter(user for user, _ in set(attempt_keys))
    for user, count in per_user.items():
        if count > acked_per_user[user] + unknown[user]:
            problems.append(
                f"user {user}: {count} quiz attempts stored, "
                f"{acked_per_user[user]} acknowledged, {unknown[user]} unanswered"
            )
    return problems
