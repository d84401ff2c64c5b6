"""How people are ordered wherever they are listed: in one place.

By the stored Vietnamese sort key (given name first, tones after letters; see
lms.formats), then id so pages never overlap.
"""


def by_name(user):
    """ORDER BY terms for listing ``user`` rows (the User entity or an alias)."""
    return (user.name_sort_given, user.id)
