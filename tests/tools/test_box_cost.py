"""The cost-per-box calculator: the lesson's figures, the farmer's own, bad input."""

import gzip
import re
from html import unescape
from pathlib import Path

import pytest

from lms.content.importer import import_courses
from lms.extensions import db
from tests.conftest import copy_courses
from tests.helpers import vi

URL = "/tools/cost-per-box"
COURSES = Path(__file__).parents[2] / "courses"
# A prepaid 10 kg box with no commission, worked out by hand:
# fruit 10 × 25.000 = 250.000; + box 30.000 + labour 20.000 + spoilage 10.000
# + shipping 50.000 = 360.000 fixed; tax 1,5 % of 500.000 = 7.500; cost 367.500;
# earns 132.500 (26,5 %); break-even 360.000 : 0,985 = 365.482,2 -> 365.483.
PREPAID = {
    "net_kg": "10",
    "farm_price": "25.000",
    "box": "30000",
    "ice": "",
    "labour": "20,000",
    "spoilage": "10 000 đ",
    "packed_kg": "12,5",
    "shipping": "50.000",
    "cod_fee": "0",
    "refused_percent": "0",
    "ads": "0",
    "platform_percent": "0",
    "tax_percent": "1,5",
    "commission_percent": "0",
    "price": "500.000",
}


def figures(response):
    """The result table as {label: value}, and the verdict line."""
    text = unescape(response.get_data(as_text=True)).replace("\xa0", " ")
    rows = re.findall(
        r'<th scope="row">([^<]+)</th><td data-figure="\w+">([^<]*)<', text
    )
    verdict = re.search(r"data-verdict[^>]*>([^<]*)<", text).group(1)
    return dict(rows), verdict


def test_opens_with_the_lessons_worked_example(client):
    page = client.get(URL)
    assert page.status_code == 200
    table, verdict = figures(page)
    assert table[vi("Costs that do not follow the price")] == "288.500 đ"
    assert table[vi("Cost of one box")] == "338.000 đ"
    assert table[vi("Break-even price")] == "345.509 đ"
    assert table[vi("Break-even price per kg of fruit")] == "69.102 đ"
    assert table[vi("Share of refused boxes")] == "13.500 đ"
    assert "38.000 đ" in verdict and "345.509 đ" in verdict
    # The form starts from the same example, written the Vietnamese way.
    html = page.get_data(as_text=True)
    assert 'name="packed_kg" type="text" value="6,5"' in html
    assert 'name="farm_price" type="text" value="30.000"' in html


def test_works_out_the_farmers_own_figures(client):
    table, verdict = figures(client.get(URL, query_string=PREPAID))
    assert table[vi("The fruit at the trader's price")] == "250.000 đ"
    assert table[vi("Costs that do not follow the price")] == "360.000 đ"
    assert table[vi("Fees, tax and commission on the price")] == "7.500 đ"
    assert table[vi("Cost of one box")] == "367.500 đ"
    assert table[vi("Earned over selling to the trader")] == "132.500 đ"
    assert table[vi("Break-even price")] == "365.483 đ"
    assert table[vi("Your price per kg of fruit")] == "50.000 đ"
    assert "132.500 đ" in verdict and "26,5%" in verdict


def test_english_page_writes_numbers_the_english_way(client):
    client.set_cookie("lang", "en")
    table, verdict = figures(client.get(URL, query_string=PREPAID))
    assert table["Break-even price"] == "365,483 đ"
    assert verdict == (
        "Each box earns 132,500 đ more than selling the fruit to the trader "
        "(26.5% of the selling price)."
    )


def test_a_missing_figure_keeps_the_example(client):
    table, _ = figures(client.get(URL, query_string={"refused_percent": "0"}))
    # Without refusals: 288.500 - 13.500 = 275.000.
    assert table[vi("Costs that do not follow the price")] == "275.000 đ"


@pytest.mark.parametrize(
    ("name", "typed", "message"),
    [
        (
            "farm_price",
            "ba mươi nghìn",
            "Enter whole đồng in digits, for example 30,000.",
        ),
        ("shipping", "-60.000", "Enter a number that is not negative."),
        ("tax_percent", "1,5,5", "Enter a number in digits, for example 6.5."),
        ("price", "9" * 40, "That number is too long."),
        ("net_kg", "5000", "Enter a number from %(least)s to %(most)s."),
        ("price", "", "Enter a number."),
        ("packed_kg", "4", "The packed box cannot weigh less than its fruit."),
        (
            "commission_percent",
            "90",
            "Platform fees, tax and commission cannot take the whole price.",
        ),
    ],
)
def test_bad_figures_get_a_clear_message_and_no_sums(client, name, typed, message):
    page = client.get(URL, query_string={name: typed})
    assert page.status_code == 200
    html = unescape(page.get_data(as_text=True))
    expected = vi(message).replace("%(least)s", "0,1").replace("%(most)s", "50")
    assert f'<p class="error" id="{name}-error">{expected}' in html
    assert vi("Correct the figures marked below.") in html
    assert "data-box-problems hidden" not in html
    assert "data-box-figures hidden" in html
    # What was typed stays in the box, to correct it.
    assert f'name="{name}" type="text" value="{typed[:20]}' in html or len(typed) > 20


@pytest.mark.parametrize("app", ["sqlite", "postgres"], indirect=True)
def test_saving_the_packaging_course_takes_the_calculator(app, signed_in, tmp_path):
    folder = copy_courses(tmp_path, "packaging-design", source=COURSES)
    import_courses(folder, app.config["LMS_UPLOAD_DIR"])
    db.session.commit()
    manifest = signed_in.get("/api/v1/courses/packaging-design/offline").get_json()
    assert URL in manifest["urls"]
    script = next(u for u in manifest["urls"] if u.startswith("/static/js/box-cost.js"))
    assert signed_in.get(script).status_code == 200
    lesson = signed_in.get("/courses/packaging-design/lessons/cost-per-box")
    assert f'href="{URL}"' in lesson.get_data(as_text=True)


def test_page_stays_within_the_page_weight_budget(client):
    """DESIGN.md: HTML <= 14 KB compressed, <= 30 KB with its CSS and JS."""
    page = client.get(URL, headers={"Accept-Encoding": "gzip"})
    html = gzip.decompress(page.data).decode()
    total = len(page.data)
    assert total <= 14_000
    for url in re.findall(r'"(/static/[^"]+)"', html):
        asset = client.get(unescape(url), headers={"Accept-Encoding": "gzip"})
        total += len(asset.data)
    assert "box-cost.js" in html and total <= 30_000
