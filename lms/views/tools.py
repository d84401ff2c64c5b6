"""Small tools that lessons link to; they work for anyone, signed in or not."""

from flask import Blueprint, render_template, request

from lms.forms.box_cost import EXAMPLE, BoxCostForm
from lms.services.box_cost import cost_of_a_box

bp = Blueprint("tools", __name__, url_prefix="/tools")


@bp.get("/cost-per-box")
def cost_per_box():
    """Cost, break-even price and margin of one box: computed, never stored."""
    given = request.args if any(name in request.args for name in EXAMPLE) else None
    form = BoxCostForm(formdata=given)
    valid = given is None or form.validate()
    result = cost_of_a_box(form.inputs()) if valid else None
    return render_template("tools/cost_per_box.html", form=form, result=result)
