"""Warnings about how a quiz is written: shown to its author, never refusing it."""

from flask_babel import lazy_gettext as _l

UNLIKELY = 0.01  # a cluster this rare by chance was written that way
FEWEST = 3  # fewer questions than this tell nothing


def clustered_position(questions):
    """Where right answers pile up: (place from 1, questions, of how many), or None.

    A place counts as clustered when chance alone (each right answer put at a
    random place) would put that many there less than 1 time in 100.
    """
    widest = max((len(q["choices"]) for q in questions), default=0)
    worst = None
    for place in range(widest):
        odds = [
            sum(c["correct"] for c in q["choices"]) / len(q["choices"])
            for q in questions
            if place < len(q["choices"])
        ]
        hits = sum(
            1
            for q in questions
            if place < len(q["choices"]) and q["choices"][place]["correct"]
        )
        chance = _at_least(hits, odds)
        clustered = hits >= FEWEST and chance < UNLIKELY
        if clustered and (worst is None or chance < worst[0]):
            worst = (chance, place + 1, hits)
    if worst is None:
        return None
    return worst[1], worst[2], len(questions)


def position_warning(questions):
    """The author's warning for right answers clustered in one place, or None."""
    found = clustered_position(questions)
    if found is None:
        return None
    place, hits, total = found
    return _l(
        "In %(hits)d of %(total)d questions a right answer is choice %(place)d. "
        "Learners see the choices shuffled, but mix the places when you write: "
        "a printed or exported quiz could be answered by position.",
        hits=hits,
        total=total,
        place=place,
    )


def _at_least(hits, odds):
    """P(at least ``hits`` successes) for independent trials with ``odds``."""
    counts = [1.0]  # counts[k]: the chance of exactly k successes so far
    for p in odds:
        counts = [
            (counts[k] if k < len(counts) else 0) * (1 - p)
            + (counts[k - 1] * p if k > 0 else 0)
            for k in range(len(counts) + 1)
        ]
    return sum(counts[hits:])
