"""Forms for practical work: the farmer's hand-in and the trainer's review."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.fields import URLField

from lms.forms.base import Form
from lms.services.practical import NOTE_LENGTH


class SubmissionForm(Form):
    link = URLField(
        _l("Link to your livestream, video or shop"),
        render_kw={
            "inputmode": "url",
            "autocomplete": "url",
            "placeholder": "facebook.com/…",
        },
        description=_l("Copy it from Facebook, TikTok or Zalo; https:// is optional."),
    )
    photos = MultipleFileField(
        _l("Photos"),
        render_kw={"accept": "image/*", "data-max-width": "1280"},
    )
    note = TextAreaField(
        _l("A note for your trainer (optional)"),
        render_kw={"rows": 3, "maxlength": NOTE_LENGTH},
    )
    kept = HiddenField()  # photos stored at a refused try (signed by the view)


class ReviewForm(Form):
    feedback = TextAreaField(
        _l("Feedback for the farmer"),
        render_kw={"rows": 5},
        description=_l("Say what went well and, when returning, what to improve."),
    )
    decision = StringField()  # "approve" or "return", from the button pressed
