"""Which language and time zone a page is shown in."""

from flask import current_app, g, has_request_context, request
from flask_babel import get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup

LANG_COOKIE = "lang"


def select_locale():
    """The user's choice, else the switcher's cookie, else the browser, else vi."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # the CLI speaks the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale:
        if current_user.locale in languages:
            return current_user.locale
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in languages:
        return cookie
    return request.accept_languages.best_match(languages) or languages[0]


def select_timezone():
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def localised(obj, field, locale):
    """Return ``obj.<field>_<locale>``, falling back to the Vietnamese text."""
    if locale != "vi":
        value = getattr(obj, f"{field}_{locale}", None)
        if value:
            return value
    return getattr(obj, f"{field}_vi")


def name_order():
    """How a list of people is ordered: "given" name first (rosters), or "family"."""
    return "family" if request.args.get("order") == "family" else "given"


def install_template_gettext(app):
    """Templates translate through the request's catalogue, found once per request.

    Flask-Babel finds the catalogue again for every string (context, domain,
    locale, cache key): a page's 25 strings cost more than its four queries. The
    catalogue is kept on ``g`` with the locale it belongs to, so a block under
    ``force_locale`` still gets its own. A template rendered with the request's
    context gets its callables bound to the catalogue once per render
    (``render_gettext``); these are for macros imported without context.
    """
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _catalogue().ugettext(s),
        ngettext=lambda s, p, n: _catalogue().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _catalogue().upgettext(c, s),
        npgettext=lambda c, s, p, n: _catalogue().unpgettext(c, s, p, n),
    )


def render_gettext():
    """``gettext`` and ``ngettext`` for one render, bound to its catalogue.

    Jinja's ``_`` looks ``gettext`` up in the template's context, so a context
    processor that returns these saves finding the catalogue for every string.
    """
    catalogue = _catalogue()
    return {
        "gettext": _newstyle(catalogue.ugettext),
        "ngettext": _newstyle_plural(catalogue.ungettext),
    }


def _newstyle(translate):
    # As Jinja's newstyle gettext: escaped when autoescaping, always %-formatted.
    @pass_context
    def gettext(context, string, /, **variables):
        text = translate(string)
        if context.eval_ctx.autoescape:
            text = Markup(text)
        return text % variables

    return gettext


def _newstyle_plural(translate):
    @pass_context
    def ngettext(context, singular, plural, num, /, **variables):
        variables.setdefault("num", num)
        text = translate(singular, plural, num)
        if context.eval_ctx.autoescape:
            text = Markup(text)
        return text % variables

    return ngettext


def _catalogue():
    if not has_request_context():
        return get_translations()
    locale = get_locale()
    kept = g.get("_catalogue")
    if kept is None or kept[0] is not locale:
        kept = g._catalogue = (locale, get_translations())
    return kept[1]
