"""Forms for trainers: courses, lessons, quizzes, practical work, classes."""

import re
import unicodedata
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from lms.clock import utcnow
from lms.content.review import SOURCE_KEYS
from lms.forms.account import PHONE_ATTRS, SelectWithPrompt, _id_or_none
from lms.forms.base import Form, InRange
from lms.models.activity import local_day

CLUBS = [SelectChoice("koc", "KOC"), SelectChoice("kol", "KOL")]
# The longest texts a form takes: a course's summary shows on the course list,
# a question and its choices on a phone's screen (the bundled ones are at most
# 231, 165 and 477 characters).
SUMMARY_LENGTH = 1000
QUESTION_LENGTH, CHOICE_LENGTH, EXPLANATION_LENGTH = 500, 300, 1500


def _limited(label, length, required=None, field=TextAreaField):
    """A text field of at most ``length`` characters, the browser told too;
    ``required``: the message when it is left empty."""
    validators = [DataRequired(required)] if required else []
    render_kw = {"maxlength": length}
    if field is TextAreaField:
        render_kw["rows"] = 3
    return field(
        label, validators=[*validators, Length(max=length)], render_kw=render_kw
    )


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("invalid_choice_message", _l("Choose only from the list."))
        kwargs.setdefault("invalid_value_message", _l("Choose only from the list."))
        super().__init__(*args, **kwargs)


class CourseForm(Form):
    title_vi = StringField(
        _l("Title (Vietnamese)"),
        validators=[DataRequired(_l("Enter a title in Vietnamese.")), Length(max=200)],
    )
    title_en = StringField(_l("Title (English)"), validators=[Length(max=200)])
    summary_vi = _limited(
        _l("Summary (Vietnamese)"),
        SUMMARY_LENGTH,
        required=_l("Write a short summary in Vietnamese: the catalogue shows it."),
    )
    summary_en = _limited(_l("Summary (English)"), SUMMARY_LENGTH)
    minutes = IntegerField(
        _l("Minutes to complete"),
        default=30,
        validators=[
            InRange(1, 2000, _l("Give the minutes as a number from 1 to 2000."))
        ],
        render_kw={"inputmode": "numeric"},
    )
    clubs = MultiCheckboxField(_l("Counts toward the clubs"), choices=CLUBS)


class LessonForm(Form):
    title_vi = StringField(
        _l("Title (Vietnamese)"),
        validators=[DataRequired(_l("Enter a title in Vietnamese.")), Length(max=200)],
    )
    body_vi = TextAreaField(
        _l("Lesson (Vietnamese, Markdown)"),
        validators=[DataRequired(_l("Write the lesson in Vietnamese."))],
        render_kw={"rows": 18, "data-preview": "preview-vi"},
    )
    title_en = StringField(_l("Title (English)"), validators=[Length(max=200)])
    body_en = TextAreaField(
        _l("Lesson (English, Markdown)"),
        render_kw={"rows": 18, "data-preview": "preview-en"},
    )
    reviewed_on = DateField(
        _l("Last checked that it is still true"),
        validators=[Optional()],
        description=_l(
            "Set it to today whenever you check the lesson, even unchanged."
        ),
    )
    law = BooleanField(_l("This lesson states a law"))
    sources_text = TextAreaField(
        _l("Sources"),
        render_kw={"rows": 4},
        description=_l(
            "One per line: title | issuer | date (YYYY-MM-DD) | link. "
            "Required when the lesson states a law."
        ),
    )
    version = HiddenField()

    def __init__(self, *args, obj=None, **kwargs):
        super().__init__(*args, obj=obj, **kwargs)
        if self.sources_text.data is None and obj is not None:
            self.sources_text.data = sources_as_text(obj.sources)

    def validate_reviewed_on(self, field):
        """A check of the lesson that has not happened yet would keep it off
        the list of lessons due for review for as long as it is ahead."""
        if field.data is not None and field.data > local_day(utcnow()):
            raise ValidationError(_l("The date of the check cannot be in the future."))

    def validate_sources_text(self, field):
        try:
            self.sources = read_sources(field.data)
        except ValueError as problem:
            raise ValidationError(problem.args[0]) from None

    def review(self):
        """The review fields as save_lesson takes them (after validation)."""
        return {
            "reviewed_on": self.reviewed_on.data,
            "law": self.law.data,
            "sources": self.sources,
        }


def sources_as_text(sources):
    return "\n".join(
        " | ".join(source[key] for key in SOURCE_KEYS) for source in sources or []
    )


def read_sources(text):
    """Sources written one per line as title | issuer | YYYY-MM-DD | link."""
    sources = []
    for number, line in enumerate((text or "").splitlines(), 1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        try:
            title, issuer, when, url = parts
            when = date.fromisoformat(when).isoformat()
        except ValueError:
            raise ValueError(
                _l(
                    "Line %(number)d: write title | issuer | date (YYYY-MM-DD) | link.",
                    number=number,
                )
            ) from None
        if not title or not issuer or not re.match(r"^https?://\S+$", url):
            raise ValueError(
                _l(
                    "Line %(number)d: give a title, an issuer and a link starting "
                    "with http:// or https://.",
                    number=number,
                )
            )
        source = dict(zip(SOURCE_KEYS, (title, issuer, when, url), strict=True))
        sources.append(unicodedata_nfc(source))
    return sources


def unicodedata_nfc(source):
    return {key: unicodedata.normalize("NFC", value) for key, value in source.items()}


class ImageForm(Form):
    image = FileField(_l("Picture"), render_kw={"accept": "image/*"})
    alt = StringField(
        _l("What the picture shows (for people who cannot see it)"),
        validators=[DataRequired(_l("Describe the picture.")), Length(max=200)],
    )


class AudioForm(Form):
    audio = FileField(
        _l("Recording (m4a, mp3, ogg, webm or wav)"),
        render_kw={"accept": "audio/*,.m4a,.mp3,.ogg,.webm,.wav"},
    )


class PassMarkForm(Form):
    pass_mark = IntegerField(
        _l("Pass mark (%)"),
        validators=[
            InRange(1, 100, _l("The pass mark is a percentage from 1 to 100."))
        ],
        render_kw={"inputmode": "numeric"},
    )
    draw = IntegerField(
        _l("Questions per attempt (empty: all)"),
        description=_l(
            "Each attempt picks this many questions at random from the quiz, so "
            "a quiz with more questions than that asks each learner a different set."
        ),
        validators=[
            Optional(),
            InRange(1, None, _l("Give the number of questions, at least 1.")),
        ],
        render_kw={"inputmode": "numeric"},
    )


class ChoiceForm(Form):
    class Meta:
        csrf = False  # part of QuestionForm, which carries the token

    text_vi = _limited(_l("Choice (Vietnamese)"), CHOICE_LENGTH, field=StringField)
    text_en = _limited(_l("Choice (English)"), CHOICE_LENGTH, field=StringField)
    correct = BooleanField(_l("Right answer"))


class QuestionForm(Form):
    text_vi = _limited(
        _l("Question (Vietnamese)"),
        QUESTION_LENGTH,
        required=_l("Write the question in Vietnamese."),
    )
    text_en = _limited(_l("Question (English)"), QUESTION_LENGTH)
    choices = FieldList(FormField(ChoiceForm), min_entries=6, max_entries=6)
    explanation_vi = _limited(
        _l("Explanation shown after answering (Vietnamese)"),
        EXPLANATION_LENGTH,
        required=_l("Explain the right answer."),
    )
    explanation_en = _limited(_l("Explanation (English)"), EXPLANATION_LENGTH)

    def validate_choices(self, field):
        """Check the choices with the other fields, so every problem shows at once."""
        filled = [c for c in field if (c.text_vi.data or "").strip()]
        problems = []
        if len(filled) < 2:
            problems.append(_l("Give 2 to 6 choices."))
        if not any(c.correct.data for c in filled):
            problems.append(_l("Tick at least one right answer."))
        if problems:
            raise ValidationError(" ".join(str(p) for p in problems))


class CriterionForm(Form):
    class Meta:
        csrf = False

    text_vi = StringField(_l("Criterion (Vietnamese)"))
    text_en = StringField(_l("Criterion (English)"))


class AssignmentForm(Form):
    instructions_vi = TextAreaField(
        _l("Instructions (Vietnamese, Markdown)"),
        validators=[DataRequired(_l("Write the instructions in Vietnamese."))],
        render_kw={"rows": 8},
    )
    instructions_en = TextAreaField(
        _l("Instructions (English, Markdown)"), render_kw={"rows": 8}
    )
    criteria = FieldList(FormField(CriterionForm), min_entries=6, max_entries=6)
    accepts_link = BooleanField(_l("The farmer may send a link"), default=True)
    max_photos = SelectField(
        _l("Photos the farmer may send"),
        choices=[SelectChoice(n, str(n)) for n in range(4)],
        coerce=int,
        default=3,
    )


class EditorForm(Form):
    phone = TelField(
        _l("Trainer's phone number"),
        validators=[DataRequired(_l("Enter your phone number."))],
        render_kw=PHONE_ATTRS,
    )


class ClassForm(Form):
    name = StringField(
        _l("Class name"),
        validators=[DataRequired(_l("Give the class a name.")), Length(max=200)],
    )
    held_on = DateField(_l("Date"), validators=[Optional()])
    place = StringField(_l("Place"), validators=[Length(max=200)])
    area = SelectField(
        _l("Commune"),
        coerce=_id_or_none,
        validators=[InputRequired(_l("Choose your commune."))],
        # The view offers every commune; one posted from outside them is refused.
        invalid_choice_message=_l("Choose one of the communes in the list."),
        widget=SelectWithPrompt(_l("Choose your commune")),
    )
    courses = MultiCheckboxField(
        _l("Courses"),
        coerce=int,
        validators=[DataRequired(_l("Choose at least one course."))],
    )


class JoinForm(Form):
    code = StringField(
        _l("Class code"),
        validators=[DataRequired(_l("Enter the class code."))],
        render_kw={"autocapitalize": "characters", "autocomplete": "off"},
    )


class RegistrationForm(Form):
    file = FileField(
        _l("CSV file (name, phone, area)"), render_kw={"accept": ".csv,text/csv"}
    )
    # Sent back from the page that lists numbers already registered, to go on
    # without them: the file itself cannot be sent again without the trainer.
    paper_list = HiddenField()
    without_existing = HiddenField()
