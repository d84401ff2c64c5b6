"""QR codes drawn on the page itself, so a buyer can scan a card off a phone screen."""

import io
from functools import lru_cache

import segno
from markupsafe import Markup


@lru_cache(maxsize=1024)
def qr_svg(url, label):
    """An inline SVG QR code for ``url``, sized by CSS (class ``qr-card``).

    Drawn once per process and address: the verify page is opened again and again.
    """
    out = io.BytesIO()
    segno.make(url, error="m").save(
        out,
        kind="svg",
        xmldecl=False,
        svgns=True,
        nl=False,
        omitsize=True,
        border=2,
        svgclass="qr-card",
        lineclass=None,
        title=label,
    )
    svg = out.getvalue().decode()
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))
