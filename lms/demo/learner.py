"""One farmer's year: joining, lessons, quizzes, practical work, certificates."""

import math
from datetime import timedelta

from lms.demo.shape import DAYS, LEARNER_PREFIX
from lms.models import (
    Certificate,
    ClassMember,
    Enrollment,
    LearnerDay,
    LessonProgress,
    QuizAttempt,
    Submission,
    User,
)
from lms.models.activity import LOCAL_OFFSET
from lms.services.certificates import new_code

WRITE_ORDER = [
    User,
    ClassMember,
    Enrollment,
    LessonProgress,
    QuizAttempt,
    Submission,
    Certificate,
    LearnerDay,
]


class Learner:
    """One farmer's year, appended to ``rows`` by table."""

    def __init__(self, world, area_id, rows):
        self.w = world
        self.c = world.chance
        self.area_id = area_id
        self.rows = rows
        self.keen = self.c.betavariate(1.6, 1.4)  # 0: drops out at once, 1: does it all
        self.days = set()
        self.completed = {}  # course id -> when

    def live(self):
        w, c = self.w, self.c
        classes = w.classes.get(self.area_id)
        if classes and c.random() < 0.75:
            number, held_on, courses = c.choice(classes)
            joined = w.local(held_on, c.choice([8, 9, 14]), c.randrange(60))
            user = self._user(joined)
            self.rows[ClassMember].append(
                {"classroom_id": number, "user_id": user, "joined_at": joined}
            )
            taken = list(courses)
        else:
            # Sign-ups on their own grow over the year as word spreads.
            age = DAYS * math.sqrt(c.random())
            joined = w.now - timedelta(days=DAYS - age, minutes=c.randrange(1440))
            user = self._user(min(joined, w.now - timedelta(minutes=1)))
            taken = [c.choices(w.courses, [x.weight for x in w.courses])[0]]
        self.user = user
        start = self.joined
        for course in taken:
            self.take(course, start + timedelta(minutes=c.randrange(2, 20)))
        for course in w.courses:
            if course not in taken and c.random() < course.weight * self.keen * 0.9:
                later = start + timedelta(days=c.expovariate(1 / 40))
                if later < w.now:
                    self.take(course, later)
        self._certificates()
        self.rows[LearnerDay] += [
            {"user_id": user, "day": day, "area_id": self.area_id}
            for day in sorted(self.days)
        ]

    def _user(self, joined):
        w = self.w
        row = w._person("learner", self.area_id, joined, LEARNER_PREFIX, w.next_phone)
        w.next_phone += 1
        self.rows[User].append(row)
        self.joined = joined
        return row["id"]

    def _row(self, model, **values):
        values |= {"user_id": self.user, "area_id": self.area_id}
        self.rows[model].append(values)
        return values

    def _active(self, moment):
        self.days.add((moment + LOCAL_OFFSET).date())

    def take(self, course, enrolled_at):
        """Enrol, then go through the lessons, the quiz and the practical work."""
        w, c = self.w, self.c
        enrollment = self._row(
            Enrollment, course_id=course.id, created_at=enrolled_at, completed_at=None
        )
        moment = enrolled_at
        for position, lesson in enumerate(course.lessons):
            if position and c.random() > 0.72 + 0.27 * self.keen:
                return  # gave up
            if position == 0 or c.random() < 0.4:
                moment = w.study_time(moment, self.keen + 0.2)
            else:
                moment += timedelta(minutes=c.randrange(4, 15))  # the next one at once
            if moment >= w.now:
                return
            self._row(LessonProgress, lesson_id=lesson, completed_at=moment)
            self._active(moment)
        if course.quiz_id:
            moment = self._quiz(course, moment)
            if moment is None:
                return
        if course.assignment_id:
            moment = self._practical(course, moment)
            if moment is None:
                return
        enrollment["completed_at"] = moment
        self.completed[course.id] = moment

    def _quiz(self, course, moment):
        """Up to three attempts; the time of the pass, or None."""
        w, c = self.w, self.c
        for _ in range(3):
            moment += timedelta(minutes=c.randrange(2, 30))
            if moment >= w.now:
                return None
            passed = c.random() < 0.6 + 0.35 * self.keen
            score = c.randrange(75, 101, 5) if passed else c.randrange(20, 75, 5)
            self._row(
                QuizAttempt,
                quiz_id=course.quiz_id,
                answers={},
                results={},
                score=score,
                passed=passed,
                created_at=moment,
            )
            self._active(moment)
            if passed:
                return moment
            moment = w.study_time(moment, self.keen + 0.2)
        return None

    def _practical(self, course, moment):
        """Hand in, be reviewed, perhaps hand in again; the approval time, or None."""
        w, c = self.w, self.c
        if c.random() > 0.35 + 0.6 * self.keen:
            return None
        trainer = c.choice(w.trainers[self.area_id])
        for attempt in range(3):
            moment += timedelta(days=c.expovariate(1 / 4))
            if moment >= w.now:
                return None
            reviewed = moment + timedelta(hours=c.expovariate(1 / 40))
            approved = c.random() < (0.75 if attempt == 0 else 0.95)
            pending = reviewed >= w.now
            self._row(
                Submission,
                assignment_id=course.assignment_id,
                link=f"https://www.facebook.com/watch/?v={c.randrange(10**15)}",
                photos=[],
                note="",
                status="pending"
                if pending
                else ("approved" if approved else "needs_work"),
                rubric={},
                feedback="" if pending or approved else "Quay gần hơn, nói rõ giá.",
                reviewer_id=None if pending else trainer,
                reviewed_at=None if pending else reviewed,
                created_at=moment,
            )
            self._active(moment)
            if pending:
                return None
            if approved:
                return reviewed
            moment = reviewed
        return None

    def _certificates(self):
        for course_id, moment in self.completed.items():
            self._certificate(moment, course_id=course_id)
        for club_id, required, months in self.w.clubs:
            if required and required <= self.completed.keys():
                moment = max(self.completed[c] for c in required)
                expires = moment + timedelta(days=30 * months) if months else None
                revoked = self.c.random() < 0.005
                self._certificate(
                    moment,
                    club_id=club_id,
                    period=1,
                    expires_at=expires,
                    revoked_at=moment + timedelta(days=20) if revoked else None,
                    revoked_reason="Vi phạm quy chế câu lạc bộ." if revoked else None,
                )

    def _certificate(self, moment, course_id=None, club_id=None, **more):
        self._row(
            Certificate,
            code=new_code(),  # unguessable, as every certificate's
            course_id=course_id,
            club_id=club_id,
            issued_at=moment,
            **(
                {
                    "expires_at": None,
                    "revoked_at": None,
                    "revoked_reason": None,
                    "period": None,
                }
                | more
            ),
        )
