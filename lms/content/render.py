"""Markdown to sanitised HTML: the one renderer for course files and the editor."""

import re
from html import escape
from html import unescape as html_unescape

import markdown
import nh3
from flask_babel import lazy_gettext as _l
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from lms.formats import size_text

ALLOWED_TAGS = {
    "a",
    "blockquote",
    "br",
    "code",
    "em",
    "h2",
    "h3",
    "h4",
    "hr",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height", "loading", "decoding"},
    "th": {"align"},
    "td": {"align"},
}
URL_SCHEMES = {"http", "https", "mailto"}


class _LessonTree(Treeprocessor):
    """Demote body headings below the page's title and point images at their URLs."""

    def __init__(self, md, resolve):
        super().__init__(md)
        self.resolve = resolve

    def run(self, root):
        for heading in root.iter("h1"):
            heading.tag = "h2"
        for img in root.iter("img"):
            if self.resolve:
                img.set("src", self.resolve(img.get("src", "")))
            img.set("loading", "lazy")
            img.set("decoding", "async")


class _LessonExtension(Extension):
    def __init__(self, resolve):
        super().__init__()
        self.resolve = resolve

    def extendMarkdown(self, md):  # noqa: N802 (Markdown's API)
        md.treeprocessors.register(_LessonTree(md, self.resolve), "lms_lesson", 0)


# Python-Markdown's time grows with the square of some constructs (each "[" is
# matched by scanning the rest of its paragraph; headings, lists and quotes
# nest by recursion). A lesson for phones is a few thousand characters (the
# bundled ones are under 4,000); these limits keep any text well under a second.
MAX_CHARS = 20_000
MAX_LINES = 1_000
MAX_PARAGRAPH = 3_000  # characters between blank lines
MAX_BRACKETS = 100  # links and pictures
MAX_ANGLES = 100  # "<": web addresses in <...> and HTML (which is removed anyway)
MAX_DEPTH = 8  # lists within lists, quotes within quotes
_NESTING = re.compile(r"^[ \t>*+\-0-9.)]*")
_MARKER = re.compile(r">|[*+\-](?=[ \t])")
_RULE = re.compile(r"^[ \t]*([*_\-])(?:[ \t]*\1)*[ \t]*$")  # "- - -", "***"


class MarkdownTooComplex(ValueError):
    """Text beyond the limits that keep rendering fast; ``message`` says which."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def markdown_problem(text):
    """Why ``text`` is too big or too deeply nested to render, or None."""
    if len(text) > MAX_CHARS:
        return _l("The text is too long: at most %(n)d characters.", n=MAX_CHARS)
    lines = text.splitlines()
    if len(lines) > MAX_LINES:
        return _l("The text has too many lines: at most %(n)d.", n=MAX_LINES)
    if text.count("[") > MAX_BRACKETS:
        return _l(
            "The text has too many links and pictures: at most %(n)d.",
            n=MAX_BRACKETS,
        )
    if text.count("<") > MAX_ANGLES:
        return _l('The text has too many "<" signs: at most %(n)d.', n=MAX_ANGLES)
    if any(len(p) > MAX_PARAGRAPH for p in re.split(r"\n[ \t]*\n", text)):
        return _l(
            "A paragraph is too long: at most %(n)d characters. Add blank lines.",
            n=MAX_PARAGRAPH,
        )
    if any(_depth(line) > MAX_DEPTH for line in lines):
        return _l(
            "Lists or quotes are nested too deeply: at most %(n)d levels.",
            n=MAX_DEPTH,
        )
    return None


def _depth(line):
    """How deep a line nests: quote marks, list markers and indents before it."""
    if _RULE.match(line):
        return 0
    prefix = _NESTING.match(line).group(0).expandtabs(4)
    indent = len(prefix) - len(prefix.lstrip(" "))
    return indent // 4 + len(_MARKER.findall(prefix))


def render_markdown(text, resolve_image=None):
    """Render Markdown and sanitise the result; images load lazily.

    :param resolve_image: maps an image reference in the text to the URL served.
    :raise MarkdownTooComplex: the text is beyond the limits above.
    """
    if (problem := markdown_problem(text)) is not None:
        raise MarkdownTooComplex(problem)
    extensions = ["tables", "sane_lists", _LessonExtension(resolve_image)]
    html = markdown.markdown(text, extensions=extensions, output_format="html")
    return sanitise_html(html)


def render_markdown_or_text(text):
    """For pages showing stored Markdown: text saved before the limits existed
    and beyond them is shown as plain paragraphs rather than rendered."""
    try:
        return render_markdown(text)
    except MarkdownTooComplex:
        return "".join(f"<p>{escape(p)}</p>" for p in text.split("\n\n") if p)


def sanitise_html(html):
    """Keep only the allowlisted tags, attributes and link schemes."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener nofollow ugc",
    )


_IMG = re.compile(r"<img\b([^>]*)>")
_ATTR = re.compile(r'(\w+)="([^"]*)"')


def images_on_tap(html, size_of, label):
    """Replace pictures with links that load them on a tap, saying their size.

    :param size_of: URL -> size in bytes, or None when unknown.
    :param label: (alt text, size text) -> the link's text.
    """

    def placeholder(match):
        attrs = dict(_ATTR.findall(match.group(1)))
        src = attrs.get("src", "")
        size = size_of(src)
        text = label(html_unescape(attrs.get("alt", "")), size_text(size))
        return (
            f'<a class="tap-image" href="{src}" data-tap-image '
            f'data-alt="{attrs.get("alt", "")}">{escape(text)}</a>'
        )

    return _IMG.sub(placeholder, html)


_LESSON_IMAGE = re.compile(r'<img\b([^>]*?)\ssrc="(/media/lessons/[0-9a-f]{32})\.webp"')


def responsive_images(html, has_variant, width):
    """Let phones pick the narrow copy of editor pictures that have one (srcset).

    :param has_variant: URL of a narrow copy -> whether it exists.
    """

    def add_srcset(match):
        base = match.group(2)
        narrow = f"{base}-{width}.webp"
        if not has_variant(narrow):
            return match.group(0)
        return (
            f'<img{match.group(1)} src="{base}.webp" srcset="{narrow} {width}w, '
            f'{base}.webp {width * 2}w" sizes="(max-width: 42rem) 100vw, 42rem"'
        )

    return _LESSON_IMAGE.sub(add_srcset, html)
