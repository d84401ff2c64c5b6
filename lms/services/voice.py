"""A lesson's voice: which recording plays for which language."""

from flask_babel import lazy_gettext as _l

from lms.extensions import db
from lms.services import DomainError
from lms.services.audit import audit

LANGUAGES = ("vi", "en")


def set_lesson_audio(actor, lesson, language, stored):
    """Make ``stored`` (a StoredAudio) the lesson's recording in ``language``."""
    _check(language)
    audio = dict(lesson.audio or {})
    audio[language] = stored.as_dict()
    lesson.audio = audio
    _audit(actor, lesson, "lesson.audio.set", language)
    db.session.flush()


def remove_lesson_audio(actor, lesson, language):
    """Take the recording in ``language`` off the lesson; nothing to remove is fine."""
    _check(language)
    audio = dict(lesson.audio or {})
    if audio.pop(language, None) is None:
        return
    lesson.audio = audio or None
    _audit(actor, lesson, "lesson.audio.removed", language)
    db.session.flush()


def _check(language):
    if language not in LANGUAGES:
        raise DomainError(_l("Recordings are in Vietnamese or English."))


def _audit(actor, lesson, action, language):
    audit(
        actor,
        action,
        detail={
            "course": lesson.course.slug,
            "lesson": lesson.slug,
            "language": language,
        },
    )
