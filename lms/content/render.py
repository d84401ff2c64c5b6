"""Markdown to sanitised HTML: the one renderer for course files and the editor."""

import re
from html import escape
from html import unescape as html_unescape

import markdown
import nh3
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


def render_markdown(text, resolve_image=None):
    """Render Markdown and sanitise the result; images load lazily.

    :param resolve_image: maps an image reference in the text to the URL served.
    """
    extensions = ["tables", "sane_lists", _LessonExtension(resolve_image)]
    html = markdown.markdown(text, extensions=extensions, output_format="html")
    return sanitise_html(html)


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
