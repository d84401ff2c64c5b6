"""How people are ordered wherever they are listed: in one place.

For now by name as stored, then id so pages never overlap; a Vietnamese sort key
(given name first, tones after letters) replaces the name here when it comes.
"""


def by_name(user):
    """ORDER BY terms for listing ``user`` rows (the User entity or an alias)."""
    return (user.name, user.id)
