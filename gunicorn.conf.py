"""gunicorn settings: `gunicorn -c gunicorn.conf.py app:app`.

Read from the environment (see "Running it for real" in the README):
LMS_BIND, WEB_CONCURRENCY, LMS_PROXY_HOPS, FORWARDED_ALLOW_IPS.
"""

import os


def _whole_number(variable, default):
    value = os.environ.get(variable, "").strip() or str(default)
    if not value.isdigit():
        raise SystemExit(f"{variable} must be a whole number, not {value!r}")
    return int(value)


def _cores():
    try:
        return len(os.sched_getaffinity(0))  # what this container may use
    except AttributeError:
        return os.cpu_count() or 1


# Where to listen: "host:port", or several separated by spaces; "unix:/path" too.
bind = os.environ.get("LMS_BIND", "127.0.0.1:8000").split()

# Sync workers: each serves one request at a time. 2 x cores + 1 keeps the cores
# busy while others wait on the database; capped because every worker holds its
# own database connections and about 100 MB.
workers = _whole_number("WEB_CONCURRENCY", min(2 * _cores() + 1, 12))

# A request still running after 30 s is stuck: its worker is killed and replaced.
timeout = 30
# On reload or stop, requests under way get this long to finish.
graceful_timeout = 30
# Behind nginx, which reuses connections to the app for a few seconds.
keepalive = 5

# Access log on stdout, errors on stderr. The app echoes the request id in the
# X-Request-ID response header, so each access line matches the app's JSON lines.
accesslog = "-"
errorlog = "-"
access_log_format = (
    '%(h)s "%(r)s" %(s)s %(B)s %(M)sms request_id=%({x-request-id}o)s "%(f)s" "%(a)s"'
)

# The app believes X-Forwarded-* from LMS_PROXY_HOPS proxies (werkzeug ProxyFix).
# gunicorn must not believe more: with no proxy it trusts no one for the scheme,
# not even a client on a unix socket.
if _whole_number("LMS_PROXY_HOPS", 0):
    forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
else:
    forwarded_allow_ips = ""
    secure_scheme_headers = {}

# No control socket (gunicorn >= 25): its default path is one per user, which two
# instances on a machine would fight over. Reload with `kill -HUP <master pid>`.
control_socket_disable = True
