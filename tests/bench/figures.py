"""A measured figure beside its budget and baseline, and the one table of them all."""

from dataclasses import asdict, dataclass

VERDICTS = ("pass", "miss", "info")


@dataclass
class Figure:
    """One line of the table.

    :param budget: the promise as text ("<= 14 KB", ">= 50% of bare"), or "".
    :param baseline: the same measure of something simpler, with ``baseline_of``
        saying what that is; None when there is nothing fair to compare with.
    :param ratio: measured / baseline, when both exist.
    """

    part: str
    name: str
    budget: str
    measured: float | None
    unit: str
    baseline: float | None = None
    baseline_of: str = ""
    verdict: str = "info"
    note: str = ""

    @property
    def ratio(self):
        if self.measured is None or not self.baseline:
            return None
        return self.measured / self.baseline

    def as_dict(self):
        return {**asdict(self), "ratio": self.ratio}


def at_most(limit, measured):
    return "info" if measured is None else ("pass" if measured <= limit else "miss")


def at_least(limit, measured):
    return "info" if measured is None else ("pass" if measured >= limit else "miss")


def kilobytes(size):
    return round(size / 1024, 1)


def number(value, unit=""):
    if value is None:
        return "-"
    if abs(value) >= 100 or float(value).is_integer():
        text = f"{value:,.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.2f}"
    return f"{text} {unit}".strip()


def table(figures):
    """Return the figures as one plain-text table."""
    header = ("part", "figure", "budget", "measured", "baseline", "ratio", "verdict")
    rows = [header]
    for f in figures:
        baseline = number(f.baseline, f.unit)
        if f.baseline is not None and f.baseline_of:
            baseline = f"{baseline} ({f.baseline_of})"
        rows.append(
            (
                f.part,
                f.name,
                f.budget or "-",
                number(f.measured, f.unit),
                baseline if f.baseline is not None else "-",
                "-" if f.ratio is None else f"{f.ratio:.2f}",
                f.verdict + (f"  {f.note}" if f.note else ""),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    lines = []
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths) + "  -------")
    return "\n".join(lines)


def _cell(text):
    """Text for a Markdown table cell: notes quote HTML elements (``<p>``)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace("|", "\\|")


def markdown(figures):
    """The same table in Markdown, for the README."""
    lines = [
        "| part | figure | budget | measured | baseline | ratio | verdict |",
        "|---|---|---|---|---|---|---|",
    ]
    for f in figures:
        baseline = "-"
        if f.baseline is not None:
            baseline = number(f.baseline, f.unit)
            if f.baseline_of:
                baseline += f" ({f.baseline_of})"
        ratio = "-" if f.ratio is None else f"{f.ratio:.2f}"
        verdict = f"**{f.verdict}**" if f.verdict == "miss" else f.verdict
        if f.note:
            verdict += f" ({_cell(f.note)})"
        lines.append(
            f"| {f.part} | {f.name} | {f.budget or '-'} | {number(f.measured, f.unit)}"
            f" | {baseline} | {ratio} | {verdict} |"
        )
    return "\n".join(lines)
