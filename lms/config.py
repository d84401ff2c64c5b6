"""Configuration: defaults, then the environment, then the test mapping."""

import os
import re
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent

DEFAULTS = {
    "BABEL_DEFAULT_LOCALE": "vi",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
    "LANGUAGES": ("vi", "en"),
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    # Farmers sign in on their own phones and must not be signed out every week;
    # staff see other people's data, so their sessions are shorter. See README.
    "LMS_LEARNER_IDLE_TIMEOUT": timedelta(days=30),
    "LMS_LEARNER_SESSION_LIMIT": timedelta(days=90),
    "LMS_STAFF_IDLE_TIMEOUT": timedelta(hours=12),
    "LMS_STAFF_SESSION_LIMIT": timedelta(days=7),
    # The cookie outlives no session; lms.sessions enforces the limits above.
    "PERMANENT_SESSION_LIFETIME": timedelta(days=90),
    # The cookie is sent again only when the session changes (last-seen moves at
    # most once a minute), not with every response: about 400 bytes less on each,
    # and cached files that vary on Cookie are not revalidated after every page.
    "SESSION_REFRESH_EACH_REQUEST": False,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    # Secure is also set per request when it came over https (lms.sessions).
    "SESSION_COOKIE_SECURE": False,
    # Remember-me is not offered (a signed-in session already lasts); should a
    # remember cookie appear, it carries the same flags and the shortest lifetime.
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_DURATION": timedelta(days=7),
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    # CSRF tokens live as long as the session: a form left open stays valid.
    "WTF_CSRF_TIME_LIMIT": None,
    "RATELIMIT_STORAGE_URI": "memory://",
    # Counts the last N minutes exactly: no double allowance at a window's edge.
    "RATELIMIT_STRATEGY": "moving-window",
    "RATELIMIT_HEADERS_ENABLED": True,
    # Brotli and gzip for pages, CSS, JS and JSON; small responses are left alone.
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    "COMPRESS_MIN_SIZE": 500,
    "COMPRESS_MIMETYPES": [
        "text/html",
        "text/css",
        "text/javascript",
        "application/javascript",
        "application/json",
        "application/ld+json",
        "image/svg+xml",
        "application/manifest+json",
    ],
    "LMS_COURSES_DIR": str(ROOT / "courses"),
    # The provinces this site serves, by official code or name ("24, Lạng Sơn"),
    # or "all": `lms setup` loads their communes from the official map. Bắc Ninh,
    # the province this programme and its issuer name belong to.
    "LMS_PROVINCES": "24",
    # A province's certificates add its name ("… – Tỉnh Bắc Ninh") unless its
    # admin names the issuer (lms.services.issuers).
    "LMS_ISSUER_NAME": "Học viện Số cho Nhà nông",
    # The one address every absolute URL (QR codes, badges, join links) is built
    # on; requests for any other host are refused. `python app.py` serves here.
    "LMS_PUBLIC_URL": "http://127.0.0.1:5000",
    # Reverse proxies in front of the app whose X-Forwarded-* headers are believed.
    # 0 believes none, so a client cannot pick its own address or scheme.
    "LMS_PROXY_HOPS": 0,
    # "json": one JSON object per line on stderr; "text": Flask's plain lines.
    "LMS_LOG_FORMAT": "json",
    # Below this much free space for the database or the uploads, /healthz fails.
    "LMS_MIN_FREE_MB": 64,
    # How long a write waits for SQLite's lock before the request answers 503.
    "LMS_SQLITE_BUSY_MS": 5000,
}

# Environment variable -> config key. Documented in the README.
ENVIRONMENT = {
    "DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "SECRET_KEY": "SECRET_KEY",
    "LMS_RATELIMIT_STORAGE_URI": "RATELIMIT_STORAGE_URI",
    "LMS_UPLOAD_DIR": "LMS_UPLOAD_DIR",
    "LMS_COURSES_DIR": "LMS_COURSES_DIR",
    "LMS_ISSUER_NAME": "LMS_ISSUER_NAME",
    "LMS_ISSUER_EMAIL": "LMS_ISSUER_EMAIL",
    "LMS_LOG_FORMAT": "LMS_LOG_FORMAT",
    "LMS_PUBLIC_URL": "LMS_PUBLIC_URL",
    "LMS_JOB_QUEUE_URL": "LMS_JOB_QUEUE_URL",
    "LMS_PROVINCES": "LMS_PROVINCES",
}

# Names of this machine, always answered to (health checks on the machine).
LOOPBACK = ("127.0.0.1", "localhost")
ISSUER_MAILBOX = "chungchi"  # "certificates": chungchi@<the site's host>
ISSUER_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")

# Session limits, in hours, from the environment.
SESSION_HOURS = {
    "LMS_LEARNER_IDLE_HOURS": "LMS_LEARNER_IDLE_TIMEOUT",
    "LMS_LEARNER_SESSION_HOURS": "LMS_LEARNER_SESSION_LIMIT",
    "LMS_STAFF_IDLE_HOURS": "LMS_STAFF_IDLE_TIMEOUT",
    "LMS_STAFF_SESSION_HOURS": "LMS_STAFF_SESSION_LIMIT",
}


def load_config(app, test_config=None):
    """Fill app.config from defaults, the environment and an optional test mapping."""
    app.config.update(DEFAULTS)
    for variable, key in ENVIRONMENT.items():
        if os.environ.get(variable):
            app.config[key] = os.environ[variable]
    for variable, key in SESSION_HOURS.items():
        if os.environ.get(variable):
            app.config[key] = timedelta(hours=float(os.environ[variable]))
    if os.environ.get("LMS_SECURE_COOKIES", "") not in ("", "0"):
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    if os.environ.get("LMS_MAX_UPLOAD_MB"):
        app.config["MAX_CONTENT_LENGTH"] = whole_number("LMS_MAX_UPLOAD_MB") << 20
    for variable in ("LMS_MIN_FREE_MB", "LMS_SQLITE_BUSY_MS"):
        if os.environ.get(variable):
            app.config[variable] = whole_number(variable)
    if os.environ.get("LMS_PROXY_HOPS"):
        app.config["LMS_PROXY_HOPS"] = whole_number("LMS_PROXY_HOPS")
    if test_config:
        app.config.update(test_config)
    _bound_cookie_lifetimes(app.config)
    _trust_public_host(app.config)
    if app.config["LMS_LOG_FORMAT"] not in ("json", "text"):
        raise ConfigurationError(
            f"LMS_LOG_FORMAT must be json or text, not {app.config['LMS_LOG_FORMAT']!r}"
        )

    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config.setdefault(
        "SQLALCHEMY_DATABASE_URI", f"sqlite:///{instance / 'lms.sqlite3'}"
    )
    app.config["SQLALCHEMY_DATABASE_URI"] = _psycopg_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A file has no connection to lose: no check before each request's use.
        options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**options, "pool_pre_ping": False}
    app.config.setdefault("LMS_UPLOAD_DIR", str(instance / "uploads"))
    # Background jobs: an embedded queue in a SQLite file, or Redis (lms.jobs).
    app.config.setdefault("LMS_JOB_QUEUE_URL", f"sqlite:///{instance / 'jobs.sqlite3'}")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _kept_secret(instance / "secret_key")


def _bound_cookie_lifetimes(config):
    """Let no cookie outlive the longest session, nor remember-me the shortest."""
    limits = (config["LMS_LEARNER_SESSION_LIMIT"], config["LMS_STAFF_SESSION_LIMIT"])
    config["PERMANENT_SESSION_LIFETIME"] = max(limits)
    config["REMEMBER_COOKIE_DURATION"] = min(
        config["REMEMBER_COOKIE_DURATION"], *limits
    )


def _trust_public_host(config):
    """Answer only requests for the public address's host (and LMS_TRUSTED_HOSTS).

    Otherwise a request's Host header would choose the site links point to.
    """
    url = config["LMS_PUBLIC_URL"].strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        raise ConfigurationError(
            "LMS_PUBLIC_URL must be the site's address, such as "
            f"https://hocvien.example.vn, not {url!r}"
        )
    config["LMS_PUBLIC_URL"] = url
    # Open Badges validators require the issuer's contact address: without one
    # configured, the site's own host names it (README, Configuration).
    email = (config.get("LMS_ISSUER_EMAIL") or "").strip()
    if not email:
        email = f"{ISSUER_MAILBOX}@{parts.hostname}"
    elif not ISSUER_EMAIL.match(email):
        raise ConfigurationError(
            f"LMS_ISSUER_EMAIL must be an e-mail address, not {email!r}"
        )
    config["LMS_ISSUER_EMAIL"] = email
    if config.get("TRUSTED_HOSTS") is None:
        # This machine's own names too (curl http://127.0.0.1:8000/healthz): links
        # never come from the Host header, so they cannot be pointed anywhere.
        extra = os.environ.get("LMS_TRUSTED_HOSTS", "").split(",")
        hosts = [parts.hostname, *LOOPBACK, *(h.strip() for h in extra if h.strip())]
        config["TRUSTED_HOSTS"] = list(dict.fromkeys(hosts))


class ConfigurationError(ValueError):
    """An environment variable holds a value the application cannot use."""


def whole_number(variable):
    """Read the environment variable ``variable`` as an integer of 0 or more."""
    value = os.environ[variable].strip()
    if not value.isdigit():
        raise ConfigurationError(
            f"{variable} must be a whole number (0, 1, 2, ...), not {value!r}"
        )
    return int(value)


def _psycopg_url(url):
    """Use psycopg 3 for PostgreSQL URLs written the common way."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _kept_secret(path):
    """Read the secret key kept under instance/, creating it on first start.

    gunicorn's workers start together: each may make a key, but only the first
    to link its file in place wins, and every worker then reads that one.
    """
    if not path.exists():
        candidate = path.with_name(f"{path.name}.{os.getpid()}")
        descriptor = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_hex(32))
        try:
            os.link(candidate, path)  # atomic; fails if another worker was first
        except FileExistsError:
            pass
        finally:
            candidate.unlink()
    return path.read_text().strip()
