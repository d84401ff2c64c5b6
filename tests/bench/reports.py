"""Officials' overview at scale (100k learners, 3M progress rows): to be measured.

The overview page and `lms demo-data` are being built; until then this part says
so in the table instead of failing the run.
"""

from tests.bench.figures import Figure


def run(ctx):
    return [
        Figure(
            "reports",
            "officials' overview, 100k learners / 3M progress rows",
            "<= 300 ms",
            None,
            "ms",
            note="not measured yet: the overview page does not exist yet",
        )
    ]
