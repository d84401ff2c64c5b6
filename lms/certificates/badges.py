"""Open Badges 2.0 documents (hosted verification) and badge images.

The builders are pure: they read plain attributes of the objects they are given
and make every link with ``url(endpoint, **values)``, which returns an absolute
URL on the public address. The views supply it (lms.views.public_url).
"""

import hashlib
import hmac
import io
import json
import struct
import unicodedata
import zlib
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

CONTEXT = "https://w3id.org/openbadges/v2"
CONTENT_TYPE = "application/ld+json"
CLUB_PREFIX = "club-"
IMAGE_SIZE = 256

# The site's palette (static/css/app.css, static/icons/icon.svg).
GREEN = "#1d6b3a"
GREEN_DARK = "#134d29"
LEAF = "#7fc97f"
LYCHEE = "#c8323c"


def class_slug(course=None, club=None):
    """The badge class slug: the course's slug, or "club-" and the club's code."""
    return f"{CLUB_PREFIX}{club.code}" if club is not None else course.slug


def timestamp(moment):
    """A naive UTC datetime as ISO 8601 with a Z, as validators want it."""
    return moment.replace(microsecond=0).isoformat() + "Z"


def issuer(url, name, email=None, telephone=None, homepage=None):
    """The issuer Profile: who stands behind the badges (the site's or a
    province's, with ``url`` from ``for_province``)."""
    document = {
        "@context": CONTEXT,
        "type": "Issuer",
        "id": url("badges.issuer"),
        "name": name,
        "url": homepage or url("learn.catalog"),
    }
    if email:
        document["email"] = email
    if telephone:
        document["telephone"] = telephone
    return document


def for_province(url, code):
    """``url``, with the issuer and badge classes of the province ``code``.

    A certificate names the province that issued it: its assertion points to
    that province's badge class, whose issuer is the province's own profile.
    """

    def province_url(endpoint, **values):
        if endpoint == "badges.issuer":
            return url("badges.province_issuer", code=code)
        if endpoint == "badges.badge_class":
            return url("badges.province_badge_class", code=code, **values)
        return url(endpoint, **values)

    return province_url


def badge_class(slug, name, description, narrative, url, criteria_url=None):
    criteria = {"narrative": narrative}
    if criteria_url:
        criteria["id"] = criteria_url
    return {
        "@context": CONTEXT,
        "type": "BadgeClass",
        "id": url("badges.badge_class", slug=slug),
        "name": name,
        "description": description,
        "image": url("badges.badge_image", slug=slug),
        "criteria": criteria,
        "issuer": url("badges.issuer"),
    }


def course_badge_class(course, url):
    """The BadgeClass for completing ``course``; the criteria name its real steps."""
    vi = [f"Hoàn thành tất cả {len(course.active_lessons)} bài học"]
    en = [f"Complete all {len(course.active_lessons)} lessons"]
    if (quiz := course.live_quiz) is not None:
        vi.append(f"đạt bài kiểm tra cuối khoá (từ {quiz.pass_mark}% trở lên)")
        en.append(f"pass the final quiz ({quiz.pass_mark}% or more)")
    if course.open_assignment is not None:
        vi.append("được giảng viên duyệt bài thực hành")
        en.append("have the practical work approved by a trainer")
    narrative = f"{_sentence(vi, 'và')}\n\n*English:* {_sentence(en, 'and')}"
    slug = class_slug(course=course)
    return badge_class(
        slug,
        course.title_vi,
        course.summary_vi or course.title_vi,
        narrative,
        url,
        criteria_url=url("learn.course", slug=course.slug),
    )


def club_badge_class(club, url):
    """The BadgeClass for membership of ``club``: the courses it requires.

    An admin may change the rule; a card keeps the terms it was issued on, and
    its assertion names the courses behind it (``assertion``)."""
    vi, en = course_lists(club.courses)
    narrative = (
        "Hoàn thành tất cả các khoá học câu lạc bộ yêu cầu vào ngày cấp thẻ. "
        f"Hiện nay:\n\n{vi}\n\n*English:* complete every course the club "
        f"requires on the day the card is issued. Today:\n\n{en}"
    )
    return badge_class(
        class_slug(club=club),
        club.name_vi,
        club.description_vi or club.name_vi,
        narrative,
        url,
    )


def course_lists(courses):
    """Markdown lists of the courses' titles, in Vietnamese and in English."""
    vi = "\n".join(f"- {course.title_vi}" for course in courses)
    en = "\n".join(f"- {course.title_en or course.title_vi}" for course in courses)
    return vi, en


def _sentence(parts, conjunction):
    if len(parts) == 1:
        return parts[0] + "."
    return f"{', '.join(parts[:-1])} {conjunction} {parts[-1]}."


def recipient_salt(secret_key, code):
    """A per-certificate salt, derived rather than stored.

    HMAC of the code under the app's secret key: no column is needed, the salt
    is the same on every request and every server, and it differs between
    certificates, so one person's badges cannot be linked by their hashes.
    """
    key = secret_key.encode() if isinstance(secret_key, str) else secret_key
    return hmac.new(key, code.encode(), hashlib.sha256).hexdigest()[:16]


def hashed_identity(identity, salt):
    """The Open Badges identity hash: sha256 of the identity and the salt."""
    return "sha256$" + hashlib.sha256((identity + salt).encode()).hexdigest()


def recipient_url(user, url):
    """The URL that names ``user`` as a badge recipient: 128 random bits in it.

    Never the phone number: a Vietnamese mobile number has too little entropy
    for any salted hash to hide it. The learner adds this URL to a badge wallet.
    """
    return url("badges.recipient", recipient_id=user.badge_recipient_id)


def recipient_profile(recipient_id, url):
    """What a recipient URL answers: that it names someone, and nothing else."""
    return {
        "@context": CONTEXT,
        "type": "Profile",
        "id": url("badges.recipient", recipient_id=recipient_id),
    }


def assertion(certificate, secret_key, url, courses=()):
    """The hosted Assertion for a certificate that has not been revoked.

    ``courses``: for a club card, the courses its holder had completed when it
    was issued, named in the assertion's narrative."""
    code = certificate.code
    salt = recipient_salt(secret_key, code)
    document = {
        "@context": CONTEXT,
        "type": "Assertion",
        "id": url("badges.assertion", code=code),
        "recipient": {
            "type": "url",
            "hashed": True,
            "salt": salt,
            "identity": hashed_identity(recipient_url(certificate.user, url), salt),
        },
        "badge": url(
            "badges.badge_class",
            slug=class_slug(course=certificate.course, club=certificate.club),
        ),
        "verification": {"type": "hosted"},
        "issuedOn": timestamp(certificate.issued_at),
        "evidence": url("certificates.verify", code=code),
    }
    if certificate.expires_at is not None:
        document["expires"] = timestamp(certificate.expires_at)
    if courses:
        vi, en = course_lists(courses)
        document["narrative"] = (
            f"Khi được cấp thẻ, người nhận đã hoàn thành:\n\n{vi}\n\n"
            f"*English:* when the card was issued its holder had completed:\n\n{en}"
        )
    return document


def revoked_assertion(code, reason, url):
    """What a revoked certificate's assertion URL answers, with status 410."""
    return {
        "@context": CONTEXT,
        "id": url("badges.assertion", code=code),
        "type": "Assertion",
        "revoked": True,
        "revocationReason": reason,
    }


def compact_json(document):
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def badge_label(course=None, club=None):
    """Up to three letters for the roundel: "KOL", or the course slug's initials."""
    if club is not None:
        return _ascii(club.code).upper()[:4]
    words = [w for w in course.slug.split("-") if w and w not in {"and", "of", "the"}]
    return "".join(w[0] for w in words).upper()[:3] or "?"


def _ascii(text):
    text = text.replace("Đ", "D").replace("đ", "d")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isascii() and c.isalnum())


@lru_cache(maxsize=64)
def badge_image(label):
    """A 256x256 PNG: a green roundel with a leaf and ``label`` in white."""
    scale = 4  # draw large, then shrink: smooth edges without an anti-alias pass
    size = IMAGE_SIZE * scale
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    edge = 6 * scale
    draw.ellipse((edge, edge, size - edge, size - edge), fill=GREEN_DARK)
    ring = 22 * scale
    draw.ellipse(
        (ring, ring, size - ring, size - ring),
        fill=GREEN,
        outline=LEAF,
        width=5 * scale,
    )
    centre = size // 2
    # A lychee with a leaf, as in the site's icon, above the label.
    fruit = 20 * scale
    top = 68 * scale
    draw.ellipse((centre - fruit, top, centre + fruit, top + 2 * fruit), fill=LYCHEE)
    draw.polygon(
        [
            (centre, top + 2 * scale),
            (centre + 10 * scale, top - 14 * scale),
            (centre + 30 * scale, top - 18 * scale),
            (centre + 18 * scale, top - 4 * scale),
        ],
        fill=LEAF,
    )
    font_size = {1: 84, 2: 76, 3: 64}.get(len(label), 52) * scale
    font = ImageFont.load_default(size=font_size)
    draw.text(
        (centre, 172 * scale),
        label,
        font=font,
        fill="white",
        anchor="mm",
        stroke_width=2 * scale,
        stroke_fill="white",
    )
    image = image.resize((IMAGE_SIZE, IMAGE_SIZE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def bake(png, assertion_json):
    """Return ``png`` with the assertion in an uncompressed iTXt "openbadges" chunk.

    The Open Badges 2.0 baking rules: one iTXt chunk, keyword ``openbadges``,
    no compression, the assertion (or its JWS) as the text; any earlier one is
    replaced. It goes right after IHDR, so every PNG reader meets it.
    """
    if not png.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG")
    chunks = []
    position = len(PNG_SIGNATURE)
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        end = position + 12 + length
        kind, data = png[position + 4 : position + 8], png[position + 8 : end - 4]
        if not (kind == b"iTXt" and data.startswith(b"openbadges\0")):
            chunks.append(png[position:end])
        position = end
    # keyword, NUL, compression flag 0, method 0, empty language, empty translation
    text = b"openbadges\0\0\0\0\0" + assertion_json.encode("utf-8")
    baked = _chunk(b"iTXt", text)
    return PNG_SIGNATURE + chunks[0] + baked + b"".join(chunks[1:])


def _chunk(kind, data):
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)
