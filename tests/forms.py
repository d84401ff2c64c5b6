"""Read a form off a page as a browser would submit it, to post it back unchanged."""

from html.parser import HTMLParser

import sqlalchemy as sa

from lms.extensions import db


class _FormReader(HTMLParser):
    def __init__(self, action):
        super().__init__(convert_charrefs=True)
        self.action = action
        self.inside = False
        self.found = False
        self.fields = []
        self._select = None
        self._option = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method", "get").lower() == "post":
            # A form without an action posts to the page it is on.
            target = attrs.get("action") or self.action
            self.inside = not self.found and target == self.action
            self.found = self.found or self.inside
        elif not self.inside:
            return
        elif tag == "input" and attrs.get("name") and "disabled" not in attrs:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.fields.append((attrs["name"], attrs.get("value", "on")))
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self.fields.append((attrs["name"], attrs.get("value", "")))
        elif tag == "select":
            self._select = {"name": attrs.get("name"), "chosen": [], "first": None}
        elif tag == "option" and self._select is not None:
            self._option = attrs
            self._option_text = ""
        elif tag == "textarea":
            self._textarea = [attrs.get("name"), ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data
        if self._option is not None:
            self._option_text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "option" and self._option is not None:
            value = self._option.get("value", self._option_text.strip())
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in self._option:
                self._select["chosen"].append(value)
            self._option = None
        elif tag == "select" and self._select is not None:
            chosen = self._select["chosen"] or [self._select["first"]]
            self.fields += [(self._select["name"], v) for v in chosen if v is not None]
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            # The HTML parser drops the newline right after <textarea>, as browsers do.
            self.fields.append((name, text.removeprefix("\n")))
            self._textarea = None


def form_fields(html, action):
    """The (name, value) pairs a browser would send for the form posting to action."""
    reader = _FormReader(action)
    reader.feed(html)
    assert reader.found, f"no form posting to {action}"
    return reader.fields


def every_row():
    """Every row of every table, to compare before and after a request."""
    return {
        table.name: sorted(
            (tuple(map(repr, row)) for row in db.session.execute(sa.select(table))),
        )
        for table in db.metadata.sorted_tables
    }
