"""The current time, always in UTC; shown to people in Asia/Ho_Chi_Minh by Babel."""

from datetime import UTC, datetime


def utcnow():
    """Return the current UTC time without tzinfo, as the columns store it."""
    return datetime.now(UTC).replace(tzinfo=None)
