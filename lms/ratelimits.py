"""Rate limits per address and per account, counted in a store all workers share.

Every limit is a window: the owner of an account is never locked out for good.
The store is RATELIMIT_STORAGE_URI (Redis when there is more than one process).
"""

from flask import g, request, session

from lms.extensions import limiter
from lms.services import DomainError
from lms.services.accounts import normalize_phone

# Per address. A training hall's wifi or a carrier's NAT puts many farmers behind
# one address, so these are wide; the per-account limits stop guessing.
SIGN_IN_PER_ADDRESS = "30 per minute; 300 per hour"
# Per account (the phone number typed), failed attempts only: rotating addresses
# gives no more guesses at one account, and signing in does not use them up.
SIGN_IN_PER_ACCOUNT = "10 per 15 minutes; 50 per day"
CODE_PER_ACCOUNT = "5 per 15 minutes; 20 per day"  # an 8-digit code lives 24 hours
# Someone holding a signed-in phone guessing its owner's password.
PASSWORD_CHANGE_PER_USER = "10 per 15 minutes"
LOOKUP_PER_ADDRESS = "60 per minute; 600 per hour"  # certificate codes, QR scans
SYNC_PER_USER = "60 per minute"  # a phone sends up to 100 events per request
SYNC_PER_ADDRESS = "600 per minute"
# Wrong class codes, typed or in a URL: a hall's wifi has many farmers, few typos.
JOIN_CODE_PER_ADDRESS = "30 per minute; 300 per hour"


def submitted_account():
    """The account a sign-in or code form names, as E.164; '' when it names none."""
    try:
        return "account:" + normalize_phone(request.form.get("phone"))
    except DomainError:
        return ""


def names_no_account():
    return submitted_account() == ""


def signed_in_user():
    """The signed-in user's id, read from the session without a database query."""
    user_id = str(session.get("_user_id", "")).partition(":")[0]
    return (
        f"user:{user_id}" if user_id.isdigit() else f"anonymous:{request.remote_addr}"
    )


def failed(response):
    return response.status_code >= 400


def certificate_lookup(methods=None):
    """One budget per address for every page that looks a certificate code up."""
    return limiter.shared_limit(
        LOOKUP_PER_ADDRESS, scope="certificate-lookup", methods=methods
    )


def join_code_lookup():
    """One budget per address for wrong class codes, on every page that takes one."""
    return limiter.shared_limit(
        JOIN_CODE_PER_ADDRESS,
        scope="join-code",
        deduct_when=lambda _response: g.get("wrong_join_code", False),
    )


def count_wrong_join_code():
    g.wrong_join_code = True


class RetryAfterOnlyWhenRefused:
    """WSGI: send Retry-After only with 429 and 503, where it means something.

    Flask-Limiter adds it to every response of a limited route; on a 200 or a
    500 it tells clients (the phone's offline queue among them) to hold back.
    Outermost, so it sees every header whatever added it.
    """

    KEEP = ("429", "503")

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        def start(status, headers, exc_info=None):
            if not status.startswith(self.KEEP):
                headers = [(k, v) for k, v in headers if k.lower() != "retry-after"]
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start)
