"""Forms for officials: the report filters (a GET form) and API tokens."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from lms.forms.base import Form


class ReportFilterForm(Form):
    """Filters travel in the URL, so a view can be bookmarked and shared."""

    class Meta:
        csrf = False

    area = HiddenField()
    period = SelectField(_l("Period"))
    course = SelectField(_l("Course"))
    club = SelectField(_l("Club"))
    # "class" is a Python keyword; the URL parameter keeps the plain name.
    classroom = SelectField(_l("Class"), name="class")

    def fill(self, periods, courses, clubs, classes):
        """Set the choices: (value, label) pairs; the first of each is "all"."""
        self.period.choices = [
            SelectChoice(str(days), _l("Last %(days)s days", days=days))
            for days in periods
        ]
        self.course.choices = [SelectChoice("", _l("All courses")), *courses]
        self.club.choices = [SelectChoice("", _l("All clubs")), *clubs]
        self.classroom.choices = [SelectChoice("", _l("All classes")), *classes]
        return self


class TokenForm(Form):
    name = StringField(
        _l("What the token is for"),
        validators=[
            DataRequired(_l("Give the token a name.")),
            Length(max=80, message=_l("Keep the name under 80 characters.")),
        ],
        description=_l("For example: the province dashboard."),
    )
