"""Vietnamese first, English on request, remembered; no string left untranslated."""

import subprocess
import sys

import pytest
from babel.messages.pofile import read_po

from tests.conftest import PASSWORD, make_user, sign_in
from tests.helpers import ROOT, VI, vi

CATALOGUE = ROOT / "lms" / "translations"


def page(client, url="/login", **headers):
    return client.get(url, headers=headers).get_data(as_text=True)


def test_vietnamese_by_default(client):
    html = page(client)
    assert '<html lang="vi">' in html
    assert vi("Sign in") in html and vi("Sign in") != "Sign in"


def test_browser_language_is_used_when_nothing_was_chosen(client):
    assert '<html lang="en">' in page(client, **{"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="vi">' in page(client, **{"Accept-Language": "fr, vi;q=0.5"})
    assert '<html lang="vi">' in page(client, **{"Accept-Language": "fr"})


def test_switcher_sets_a_cookie_and_returns_to_the_page(client):
    response = client.post("/language", data={"lang": "en", "next": "/login"})
    assert response.headers["Location"] == "/login"
    html = page(client)
    assert '<html lang="en">' in html and ">Tiếng Việt</button>" in html
    assert "Sign in" in html


def test_switcher_ignores_unknown_languages_and_foreign_pages(client):
    response = client.post(
        "/language", data={"lang": "fr", "next": "https://evil.example"}
    )
    assert response.headers["Location"] == "/"
    assert '<html lang="vi">' in page(client)


def test_choice_is_remembered_on_the_account(app, client):
    make_user()
    sign_in(client)
    client.post("/language", data={"lang": "en", "next": "/"})
    other_device = app.test_client()
    sign_in(other_device)
    assert '<html lang="en">' in page(other_device, "/me/learning")


def test_the_accounts_language_changes_only_with_the_pages_token(app, client):
    import sqlalchemy as sa

    from lms.extensions import db
    from lms.models import User

    make_user()
    sign_in(client)
    app.config["WTF_CSRF_ENABLED"] = True
    html = page(client, "/me/learning")
    token = html.split('name="csrf-token" content="')[1].split('"')[0]
    # Another site's form posting to the switcher cannot change the account.
    refused = client.post("/language", data={"lang": "en", "next": "/"})
    assert refused.status_code == 400
    assert "Biểu mẫu đã hết hạn" in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(User.locale)) != "en"
    # The layout's own button does.
    client.post("/language", data={"lang": "en", "next": "/", "csrf_token": token})
    db.session.expire_all()
    assert db.session.scalar(sa.select(User.locale)) == "en"


def test_language_picked_before_signing_up_is_kept_on_the_account(client):
    import sqlalchemy as sa

    from lms.extensions import db
    from lms.models import Area, User

    client.post("/language", data={"lang": "en", "next": "/"})
    area = db.session.scalar(sa.select(Area.id).where(Area.code == "P-A"))
    client.post(
        "/signup",
        data={"phone": "0912345678", "name": "Hoa", "area": area, "password": PASSWORD},
    )
    assert db.session.scalar(sa.select(User.locale)) == "en"


def test_browser_language_is_not_stored_as_a_choice(client):
    import sqlalchemy as sa

    from lms.extensions import db
    from lms.models import Area, User

    area = db.session.scalar(sa.select(Area.id).where(Area.code == "P-A"))
    client.post(
        "/signup",
        data={"phone": "0912345678", "name": "Hoa", "area": area, "password": PASSWORD},
        headers={"Accept-Language": "en"},
    )
    assert db.session.scalar(sa.select(User.locale)) is None


def test_lesson_in_english_falls_back_to_vietnamese_with_a_note(client, mini_course):
    make_user()
    sign_in(client)
    client.post("/language", data={"lang": "en", "next": "/"})
    english = page(client, "/courses/mini/lessons/first")
    assert "<h1>Lesson one</h1>" in english and "Hello. This is lesson one." in english
    fallback = page(client, "/courses/mini/lessons/second")
    assert "<h1>Bài hai</h1>" in fallback and 'lang="vi"' in fallback


def test_every_message_is_translated_to_vietnamese():
    with open(CATALOGUE / "vi" / "LC_MESSAGES" / "messages.po", "rb") as file:
        catalogue = read_po(file)
    missing = [m.id for m in catalogue if m.id and (not m.string or m.fuzzy)]
    assert missing == []


def test_catalogue_covers_every_string_in_the_code(tmp_path):
    """A string added to a template or module without a translation fails here."""
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg"]
        + ["-k", "_l", "-k", "lazy_gettext", "--ignore-dirs=.*", "-o", str(pot), "."],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with open(pot, "rb") as file:
        wanted = {
            m.id if isinstance(m.id, str) else m.id[0] for m in read_po(file) if m.id
        }
    with open(CATALOGUE / "vi" / "LC_MESSAGES" / "messages.po", "rb") as file:
        have = {
            m.id if isinstance(m.id, str) else m.id[0] for m in read_po(file) if m.id
        }
    assert "Show password" in wanted  # templates/_macros/ is read too
    assert sorted(wanted - have) == []


def test_compiled_catalogue_matches_the_po_file():
    with open(CATALOGUE / "vi" / "LC_MESSAGES" / "messages.po", "rb") as file:
        catalogue = read_po(file)
    for message in catalogue:
        if message.id and isinstance(message.id, str):
            assert VI.gettext(message.id) == message.string, message.id


@pytest.mark.parametrize("url", ["/", "/signup", "/login", "/nope"])
def test_no_page_shows_english_interface_text_by_default(client, url):
    html = page(client, url)
    for english in ("Sign in", "Courses", "Create your account", "Page not found"):
        if vi(english) != english:
            assert f">{english}<" not in html


@pytest.mark.parametrize("language", ["vi", "en"])
def test_numbers_are_written_as_each_language_writes_them(app, language):
    """The quick filter for whole numbers writes what Babel writes."""
    from flask import render_template_string
    from flask_babel import force_locale, format_number

    values = [0, 7, -5, 999, 1000, -1234, 12345, 999999, 1234567, 10**12, 2.5]
    template = "{% for n in values %}{{ n|format_number }};{% endfor %}"
    with app.test_request_context(), force_locale(language):
        written = render_template_string(template, values=values).split(";")[:-1]
        assert written == [format_number(n) for n in values]
        assert written[8] == ("1.234.567" if language == "vi" else "1,234,567")


@pytest.mark.parametrize("language", ["vi", "en"])
def test_template_strings_follow_the_language_of_the_render(app, language):
    """A template's strings come from the catalogue of the language it is rendered
    in (a forced one too, as for a certificate in its holder's language), take
    their numbers and names, and escape what they fill in."""
    from flask import render_template_string
    from flask_babel import force_locale

    template = (
        '{{ _("Sign in") }}|{{ ngettext("%(num)s learner", "%(num)s learners", n,'
        ' num=n) }}|{{ _("%(name)s is already in this class.", name=who) }}'
    )
    with app.test_request_context(headers={"Accept-Language": "vi"}):
        with force_locale(language):
            written = render_template_string(template, n=3, who="<b>Lan</b>")
        outside = render_template_string(template, n=1, who="Lan")
    if language == "vi":
        assert written == (
            "Đăng nhập|3 người học|&lt;b&gt;Lan&lt;/b&gt; đã ở trong lớp này."
        )
    else:
        assert written == (
            "Sign in|3 learners|&lt;b&gt;Lan&lt;/b&gt; is already in this class."
        )
    assert outside == "Đăng nhập|1 người học|Lan đã ở trong lớp này."
