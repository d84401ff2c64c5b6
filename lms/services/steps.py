"""What a learner does next in a course, for the pages that point the way."""

from dataclasses import dataclass

from sqlalchemy import select

from lms.extensions import db
from lms.models import Assignment, Certificate, Lesson, Quiz
from lms.services.learning import next_step, standing
from lms.services.practical import latest_submission


@dataclass
class NextStep:
    """``kind`` is lesson, quiz, practical, certificate or done.

    lesson: ``lesson`` is the first not done, ``lessons_left`` how many remain,
    ``practical_left`` whether practical work waits to be approved too;
    practical: ``submission`` is the latest work sent (None when none was);
    certificate: ``certificate`` is the course's certificate, when one stands.
    """

    kind: str
    lesson: Lesson | None = None
    lessons_left: int = 0
    practical_left: bool = False
    submission: object = None
    certificate: Certificate | None = None


def next_step_for(learner, course):
    """Name the learner's next step in ``course``."""
    progress, done = standing(learner, course)
    step = next_step(course, done, progress)
    if isinstance(step, Lesson):
        left = sum(1 for lesson in course.active_lessons if lesson.id not in done)
        practical = progress.has_practical and not progress.practical_approved
        return NextStep(
            "lesson", lesson=step, lessons_left=left, practical_left=practical
        )
    if isinstance(step, Quiz):
        return NextStep("quiz")
    if isinstance(step, Assignment):
        return NextStep("practical", submission=latest_submission(learner, step))
    if not progress.complete:
        return NextStep("done")
    certificate = db.session.scalar(
        select(Certificate)
        .where(
            Certificate.user_id == learner.id,
            Certificate.course_id == course.id,
            Certificate.revoked_at.is_(None),
        )
        .order_by(Certificate.issued_at.desc())
        .limit(1)
    )
    return NextStep("certificate", certificate=certificate)
