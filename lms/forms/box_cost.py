"""The cost-per-box calculator's form: figures typed the way farmers write them.

"30.000", "30,000" and "30000" are thirty thousand đồng; "6,5" and "6.5" are six
and a half. The limits are written into the page (data-min, data-max) so that
static/js/box-cost.js checks the same things without a signal.
"""

import re

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import ValidationError

from lms.forms.base import Form
from lms.services.box_cost import BoxCostInputs

MONEY = re.compile(r"\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*|\d+", re.ASCII)
DECIMAL = re.compile(r"\d+(?:[.,]\d+)?", re.ASCII)
LONGEST = 15
MILLION = 1_000_000

# The worked example of courses/packaging-design/07-cost-per-box.md.
EXAMPLE = {
    "net_kg": 5,
    "farm_price": 30_000,
    "box": 25_000,
    "ice": 5_000,
    "labour": 15_000,
    "spoilage": 15_000,
    "packed_kg": 6.5,
    "shipping": 60_000,
    "cod_fee": 5_000,
    "refused_percent": 5,
    "ads": 0,
    "platform_percent": 10,
    "tax_percent": 1.5,
    "commission_percent": 5,
    "price": 300_000,
}


def read_figure(text, kind):
    """The number in ``text``, or raise ValueError with the message to show."""
    text = re.sub(r"\s", "", text or "").lower()
    text = re.sub(r"(vnđ|vnd|đồng|đ|kg|%)$", "", text)
    if len(text) > LONGEST:
        raise ValueError(_l("That number is too long."))
    if text.startswith(("-", "−")):
        raise ValueError(_l("Enter a number that is not negative."))
    if kind == "money":
        if not MONEY.fullmatch(text):
            raise ValueError(_l("Enter whole đồng in digits, for example 30,000."))
        return int(re.sub(r"[.,]", "", text))
    if not DECIMAL.fullmatch(text):
        raise ValueError(_l("Enter a number in digits, for example 6.5."))
    return float(text.replace(",", "."))


class FigureField(StringField):
    """A money (whole đồng) or decimal figure between a least and a greatest value.

    Left empty, a figure that may be 0 counts as 0.
    """

    def __init__(self, label, kind="money", least=0, most=10 * MILLION, **kwargs):
        self.kind, self.least, self.most = kind, least, most
        render_kw = {
            "inputmode": "numeric" if kind == "money" else "decimal",
            "autocomplete": "off",
            "maxlength": 20,
            "data-kind": kind,
            "data-min": least,
            "data-max": most,
        }
        super().__init__(label, render_kw=render_kw, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        self.raw = valuelist[0]
        self.data = None
        if not re.sub(r"\s", "", self.raw) and self.least == 0:
            self.data = 0
            return
        try:
            if not re.sub(r"\s", "", self.raw):
                raise ValueError(_l("Enter a number."))
            self.data = read_figure(self.raw, self.kind)
        except ValueError as problem:
            self.process_errors.append(str(problem.args[0]))
            return
        if not self.least <= self.data <= self.most:
            self.process_errors.append(
                _l(
                    "Enter a number from %(least)s to %(most)s.",
                    least=format_decimal(self.least),
                    most=format_decimal(self.most),
                )
            )

    def _value(self):
        if getattr(self, "raw", None) is not None:
            return self.raw
        return format_decimal(self.data) if self.data is not None else ""


def _percent(label, most, **kwargs):
    return FigureField(label, kind="decimal", most=most, **kwargs)


class BoxCostForm(Form):
    """One box's figures; the defaults are the lesson's worked example."""

    class Meta:
        csrf = False  # a GET form: it computes, it changes nothing

    net_kg = FigureField(
        _l("Fruit in the box (kg)"), kind="decimal", least=0.1, most=50
    )
    farm_price = FigureField(
        _l("Trader's price at the orchard (đồng per kg)"),
        description=_l("The fruit counts at what the trader would pay you today."),
    )
    box = FigureField(_l("Box, lining, label and tape (đồng)"))
    ice = FigureField(_l("Ice (đồng)"))
    labour = FigureField(
        _l("Labour (đồng)"), description=_l("Your family's work counts too.")
    )
    spoilage = FigureField(_l("Allowance for spoiled fruit and replacements (đồng)"))
    packed_kg = FigureField(
        _l("Packed box on the scale (kg)"),
        kind="decimal",
        least=0.1,
        most=60,
        description=_l("Box, ice and fruit together: shipping is priced by this."),
    )
    shipping = FigureField(_l("Shipping for a box of that weight (đồng)"))
    cod_fee = FigureField(
        _l("Cash on delivery collection fee (đồng)"),
        description=_l("0 when the buyer pays by transfer first."),
    )
    refused_percent = _percent(
        _l("Cash on delivery boxes refused (%)"),
        most=90,
        description=_l(
            "Put 5 when 1 box in 20 is refused. A refused box of fruit is lost."
        ),
    )
    ads = FigureField(_l("Advertising, divided by the boxes sold (đồng)"))
    platform_percent = _percent(
        _l("Platform fees on the price (%)"),
        most=90,
        description=_l("From the current fee table in the platform's seller centre."),
    )
    tax_percent = _percent(
        _l("Tax withheld by the platform on the price (%)"),
        most=50,
        description=_l("For goods since 1 July 2025: 1.5 (Decree 117/2025/ND-CP)."),
    )
    commission_percent = _percent(
        _l("Affiliate or referral commission on the price (%)"), most=90
    )
    price = FigureField(
        _l("Your selling price for one box (đồng)"), least=1000, most=100 * MILLION
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, data=EXAMPLE, **kwargs)

    def validate_packed_kg(self, field):
        if (self.net_kg.data or 0) > (field.data or 0) > 0:
            raise ValidationError(
                _l("The packed box cannot weigh less than its fruit.")
            )

    def validate_commission_percent(self, field):
        rates = (self.platform_percent, self.tax_percent, field)
        if all(r.data is not None for r in rates) and sum(r.data for r in rates) >= 100:
            raise ValidationError(
                _l("Platform fees, tax and commission cannot take the whole price.")
            )

    def inputs(self):
        return BoxCostInputs(**{name: self[name].data for name in EXAMPLE})
