"""The current time, always in UTC; shown to people in Asia/Ho_Chi_Minh by Babel."""

from datetime import UTC, datetime, timedelta

# Added to the real time; only tests move it (``travel``), to see what happens later.
_offset = timedelta(0)


def utcnow():
    """Return the current UTC time without tzinfo, as the columns store it."""
    return datetime.now(UTC).replace(tzinfo=None) + _offset


def timestamp():
    """Return the current time as whole seconds since the epoch (for cookies)."""
    return int((datetime.now(UTC) + _offset).timestamp())


def travel(delta):
    """Move the clock forward by ``delta`` (backward when negative); for tests."""
    global _offset
    _offset += delta


def reset():
    """Put the clock back to the real time."""
    global _offset
    _offset = timedelta(0)
