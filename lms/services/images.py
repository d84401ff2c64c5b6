"""Uploaded photos: decode, re-encode as WebP without metadata, store them safely."""

import io
import math
import os
import re
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

from flask_babel import lazy_gettext as _l
from PIL import Image

from lms.services import DomainError

FORMATS = ("JPEG", "PNG", "WEBP", "GIF")  # the only decoders Pillow may try
MAX_PIXELS = 40_000_000  # above any phone camera's default; refused before decoding
MAX_HEIGHT = 16383  # the WebP format's limit
QUALITY = 80
NAME = re.compile(r"[0-9a-f]{32}\.webp")
ORIENTATION = 0x0112
TRANSPOSE = {  # EXIF orientation -> the turn that shows the picture upright
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
SIDEWAYS = {5, 6, 7, 8}  # the orientations that swap width and height

# Pillow warns above this and refuses above twice this; images.py refuses both.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

NOT_A_PHOTO = _l("This file is not a photo. Choose a JPEG, PNG or WebP picture.")
TOO_MANY_PIXELS = _l(
    "This picture is too big to open: at most %(n)d megapixels. Take the photo "
    "again at the phone's usual size, or make it smaller first.",
    n=MAX_PIXELS // 1_000_000,
)
DECODE_ERRORS = (
    OSError,  # includes UnidentifiedImageError and "image file is truncated"
    SyntaxError,
    ValueError,
    EOFError,
    Image.DecompressionBombError,
    Image.DecompressionBombWarning,
)


@dataclass(frozen=True)
class StoredImage:
    name: str
    width: int
    height: int
    bytes: int


def store_image(
    stream, folder, max_width=1280, max_bytes=None, narrow_widths=()
) -> StoredImage:
    """Decode an uploaded image, re-encode it safely, store it under a new name.

    :param narrow_widths: also store narrower copies, as ``<name>-<width>.webp``,
        for phones to pick with srcset; only widths below the image's own.
    """
    data = _read(stream, max_bytes)
    image = _decode(data, max_width)
    webp = io.BytesIO()
    image.save(webp, "WEBP", quality=QUALITY, method=4)
    name = secrets.token_hex(16) + ".webp"
    for width in narrow_widths:
        if width < image.width:
            narrow = image.resize(
                (width, max(1, round(image.height * width / image.width))),
                Image.Resampling.LANCZOS,
            )
            out = io.BytesIO()
            narrow.save(out, "WEBP", quality=QUALITY, method=4)
            _write_atomically(Path(folder), variant_name(name, width), out.getvalue())
    _write_atomically(Path(folder), name, webp.getvalue())
    return StoredImage(name, image.width, image.height, len(webp.getvalue()))


PHONE_WIDTH = 480  # what a cheap phone's screen needs: a quarter of the bytes


def variant_name(name, width):
    """The name of a stored image's copy at ``width`` pixels."""
    return name.removesuffix(".webp") + f"-{width}.webp"


def image_path(folder, name):
    """Return where a stored image lives; refuse any name this module did not make."""
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise DomainError(_l("This photo was not found."))
    return Path(folder) / name


def _read(stream, max_bytes):
    if max_bytes is None:
        return stream.read()
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise DomainError(_l("The photo is too large."))
    return data


def _decode(data, max_width):
    """Return the first frame, upright, flattened onto white, at most max_width wide."""
    try:
        with warnings.catch_warnings():
            # Pillow warns about malformed metadata, which is dropped anyway.
            warnings.simplefilter("ignore")
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=FORMATS) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise Image.DecompressionBombError(image.size)
                orientation = _orientation(image)
                _draft(image, orientation, max_width)
                photo = _flatten(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise DomainError(TOO_MANY_PIXELS) from error
    except DECODE_ERRORS as error:
        raise DomainError(NOT_A_PHOTO) from error
    if orientation != 1:
        photo = photo.transpose(TRANSPOSE[orientation])
    photo.thumbnail((max_width, MAX_HEIGHT), Image.Resampling.LANCZOS)
    return photo


def _orientation(image):
    """Read the EXIF orientation; corrupt EXIF shows the picture as it is stored.

    Not ImageOps.exif_transpose: it rewrites the EXIF block and crashes on bad ones.
    """
    try:
        orientation = image.getexif().get(ORIENTATION)
        return orientation if orientation in TRANSPOSE else 1
    except Exception:
        return 1


def _draft(image, orientation, max_width):
    """Let libjpeg decode a big JPEG at 1/2, 1/4 or 1/8 scale: less memory and time."""
    width = image.height if orientation in SIDEWAYS else image.width
    if width > max_width:
        scale = max_width / width
        size = (math.ceil(image.width * scale), math.ceil(image.height * scale))
        image.draft("RGB", size)


def _flatten(image):
    """Copy the pixels onto a new white RGB image, leaving all metadata behind."""
    rgba = image.convert("RGBA")
    photo = Image.new("RGB", rgba.size, "white")
    photo.paste(rgba, mask=rgba)
    return photo


def _write_atomically(folder, name, data):
    """Write beside the target, then rename, so nobody ever reads half a file."""
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f".{name}.tmp"
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, folder / name)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
