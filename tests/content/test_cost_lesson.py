"""The cost lesson's worked example adds up and is what the calculator computes."""

import re
from pathlib import Path

import pytest

from lms.services.box_cost import BoxCostInputs, cost_of_a_box

LESSON = (
    Path(__file__).parents[2] / "courses" / "packaging-design" / "07-cost-per-box"
)
# language -> (file suffix, thousands separator, decimal mark)
FORMATS = {"vi": (".md", ".", ","), "en": (".en.md", ",", ".")}


def number(text, language):
    _, thousands, decimal = FORMATS[language]
    return float(text.replace(thousands, "").replace(decimal, "."))


def example(language):
    """The worked example's table rows as [(label, amount)] and the text after it."""
    suffix = FORMATS[language][0]
    text = LESSON.with_name(LESSON.name + suffix).read_text(encoding="utf-8")
    rows = re.findall(r"^\| (.+?) \| \**([\d.,]+) đ\** \|$", text, re.MULTILINE)
    paragraph = text.split(rows[-1][1] + " đ** |\n\n")[1].split("\n")[0]
    return [(label, number(amount, language)) for label, amount in rows], paragraph


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_worked_example_adds_up_and_matches_the_calculator(language):
    rows, paragraph = example(language)
    assert len(rows) == 13
    fixed_rows, fixed, on_price_rows, total = rows[:8], rows[8], rows[9:12], rows[12]
    n = r"([\d.,]+)"
    # The inputs, read from the lesson's own words.
    net_kg, farm_price = re.search(rf"{n} kg × {n} đ", rows[0][0]).groups()
    packed_kg = re.search(rf"{n} kg", rows[5][0]).group(1)
    one, boxes = re.search(r"(\d+) \D+? (\d+)", rows[7][0]).groups()
    platform, tax, commission = (
        re.search(rf"{n}%", label).group(1) for label, _ in on_price_rows
    )
    price = re.search(rf"{n}% × {n} đ", on_price_rows[0][0]).group(2)
    given = BoxCostInputs(
        net_kg=number(net_kg, language),
        farm_price=int(number(farm_price, language)),
        box=int(fixed_rows[1][1]),
        ice=int(fixed_rows[2][1]),
        labour=int(fixed_rows[3][1]),
        spoilage=int(fixed_rows[4][1]),
        packed_kg=number(packed_kg, language),
        shipping=int(fixed_rows[5][1]),
        cod_fee=int(fixed_rows[6][1]),
        refused_percent=100 * int(one) / int(boxes),
        ads=0,
        platform_percent=number(platform, language),
        tax_percent=number(tax, language),
        commission_percent=number(commission, language),
        price=int(number(price, language)),
    )
    cost = cost_of_a_box(given)

    # The table adds up...
    assert sum(amount for _, amount in fixed_rows) == fixed[1]
    assert fixed[1] + sum(amount for _, amount in on_price_rows) == total[1]
    # ... and says what the calculator says.
    assert fixed_rows[0][1] == cost.fruit
    assert fixed_rows[7][1] == cost.refusals
    assert fixed[1] == cost.fixed
    assert sum(amount for _, amount in on_price_rows) == cost.on_price
    assert total[1] == cost.total
    # "lỗ 38.000 đ ... làm tròn lên: 345.509 đ (≈ 69.102 đ/kg)"
    loss, break_even = (
        number(re.search(r"[\d.,]+", bold).group(), language)
        for bold in re.findall(r"\*\*(.+?)\*\*", paragraph)
    )
    per_kg = number(re.search(r"≈ ([\d.,]+)", paragraph).group(1), language)
    assert -loss == cost.profit
    assert break_even == cost.break_even
    assert per_kg == cost.break_even_per_kg
