"""What one box costs by the time it reaches the buyer, and the price that covers it.

The same sums run in the browser when there is no signal (static/js/box-cost.js):
keep the two in step, operation for operation, so both give the same đồng.
"""

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class BoxCostInputs:
    net_kg: float  # fruit in the box
    farm_price: int  # đồng per kg the trader pays at the orchard
    box: int  # box, lining, label, tape (đồng per box)
    ice: int
    labour: int
    spoilage: int  # allowance for spoiled fruit and replacements
    packed_kg: float  # the packed box on the scale: what shipping is priced by
    shipping: int  # for a box of packed_kg
    cod_fee: int  # collection fee of cash on delivery
    refused_percent: float  # boxes refused at the door, each a total loss
    ads: int  # ad spend divided by the boxes sold
    platform_percent: float  # the platform's fees, on the selling price
    tax_percent: float  # tax the platform withholds, on the selling price
    commission_percent: float  # affiliate or referral commission
    price: int  # the selling price of one box


@dataclass(frozen=True)
class BoxCost:
    fruit: int  # the fruit at the trader's price: what selling at the orchard pays
    refusals: int  # the share of refused boxes each box carries
    fixed: int  # everything that does not follow the selling price
    on_price: int  # fees, tax and commission at the selling price
    total: int  # the cost of one box at the selling price
    profit: int  # selling price minus cost: what selling online earns over the trader
    margin_percent: float  # profit as a share of the selling price
    break_even: int  # the lowest price that loses nothing (rounded up)
    break_even_per_kg: int
    price_per_kg: int


def dong(amount):
    """Round to whole đồng, halves up (as JavaScript's Math.round does)."""
    return math.floor(amount + 0.5)


def cost_of_a_box(given: BoxCostInputs) -> BoxCost:
    """Work out the cost, break-even price and margin of one box.

    The fruit counts at the trader's price, so the profit is what selling online
    earns over selling at the orchard. A refused box loses its goods and its
    shipping. Fees taken from the selling price are divided out, not added.
    """
    fruit = given.net_kg * given.farm_price
    goods = fruit + given.box + given.ice + given.labour + given.spoilage
    refusals = given.refused_percent / 100 * (goods + given.shipping)
    fixed = goods + given.shipping + given.cod_fee + refusals + given.ads
    rate = (given.platform_percent + given.tax_percent + given.commission_percent) / 100
    on_price = given.price * rate
    total = fixed + on_price
    profit = given.price - total
    break_even = math.ceil(fixed / (1 - rate))
    return BoxCost(
        fruit=dong(fruit),
        refusals=dong(refusals),
        fixed=dong(fixed),
        on_price=dong(on_price),
        total=dong(total),
        profit=dong(profit),
        margin_percent=dong(1000 * profit / given.price) / 10,
        break_even=break_even,
        break_even_per_kg=math.ceil(break_even / given.net_kg),
        price_per_kg=dong(given.price / given.net_kg),
    )
