"""One blueprint per area of the site."""

from urllib.parse import urlsplit

from flask import url_for


def safe_next(target, default_endpoint="learn.catalog"):
    """Return ``target`` if it is a path on this site, else the default page."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and "\\" not in target:
            return target
    return url_for(default_endpoint)
