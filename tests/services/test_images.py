"""Uploaded photos are decoded, cleaned, shrunk and stored under names we make."""

import io
import random
import re
import struct
from pathlib import Path

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage

from lms.services import DomainError
from lms.services.images import MAX_PIXELS, StoredImage, image_path, store_image

IMAGES = Path(__file__).parent.parent / "fixtures" / "images"
NAME = re.compile(r"[0-9a-f]{32}\.webp")
NOT_A_PHOTO = "This file is not a photo. Choose a JPEG, PNG or WebP picture."
RED, BLUE, WHITE = (255, 0, 0), (0, 0, 255), (255, 255, 255)


@pytest.fixture
def folder(tmp_path):
    return tmp_path / "uploads"


def encoded(image, format, **params):
    data = io.BytesIO()
    image.save(data, format, **params)
    return io.BytesIO(data.getvalue())


def fixture(name):
    return io.BytesIO((IMAGES / name).read_bytes())


def opened(folder, stored):
    """The stored file, decoded, checked to be the WebP that ``stored`` describes."""
    path = folder / stored.name
    with Image.open(path) as image:
        image.load()
        assert image.format == "WEBP"
        assert image.size == (stored.width, stored.height)
        assert path.stat().st_size == stored.bytes
        return image.copy()


def files(folder):
    """Every file in the folder, hidden ones too."""
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def near(pixel, colour, tolerance=40):
    """Lossy WebP moves colours a little."""
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], colour, strict=True))


def test_large_jpeg_becomes_webp_at_most_1280_wide_keeping_aspect(folder):
    stored = store_image(encoded(Image.new("RGB", (3000, 2000), RED), "JPEG"), folder)

    assert isinstance(stored, StoredImage)
    assert (stored.width, stored.height) == (1280, 853)
    image = opened(folder, stored)
    assert image.mode == "RGB"
    assert near(image.getpixel((640, 400)), RED)
    assert files(folder) == [stored.name]


def test_max_width_is_chosen_by_the_caller(folder):
    photo = encoded(Image.new("RGB", (1000, 500), RED), "JPEG")

    stored = store_image(photo, folder, max_width=320)

    assert (stored.width, stored.height) == (320, 160)


def test_small_png_is_not_upscaled(folder):
    stored = store_image(encoded(Image.new("RGB", (64, 48), BLUE), "PNG"), folder)

    assert (stored.width, stored.height) == (64, 48)
    assert near(opened(folder, stored).getpixel((32, 24)), BLUE)


def test_transparency_is_flattened_onto_white(folder):
    stored = store_image(fixture("transparent.png"), folder)

    image = opened(folder, stored)
    assert image.mode == "RGB"
    assert near(image.getpixel((3, 8)), (0, 160, 0))  # the opaque left half
    assert near(image.getpixel((12, 8)), WHITE)  # the transparent right half


def test_orientation_is_applied_and_exif_and_gps_are_removed(folder):
    with Image.open(IMAGES / "exif-rotated.jpg") as original:
        assert original.size == (40, 20)
        assert original.getexif()[0x0112] == 6
        assert original.getexif().get_ifd(0x8825)  # the fixture really has GPS

    stored = store_image(fixture("exif-rotated.jpg"), folder)

    assert (stored.width, stored.height) == (20, 40)
    image = opened(folder, stored)
    assert near(image.getpixel((10, 5)), RED)  # the left half is now the top
    assert near(image.getpixel((10, 35)), BLUE)
    assert len(image.getexif()) == 0
    assert not {"exif", "xmp", "icc_profile"} & image.info.keys()
    data = (folder / stored.name).read_bytes()
    assert b"EXIF" not in data and b"PhoneMaker" not in data


def test_sideways_photo_is_limited_by_its_upright_width(folder):
    exif = Image.Exif()
    exif[0x0112] = 6
    photo = encoded(Image.new("RGB", (4000, 3000), RED), "JPEG", exif=exif)

    stored = store_image(photo, folder)

    assert (stored.width, stored.height) == (1280, 1707)


def test_gif_keeps_only_its_first_frame(folder):
    stored = store_image(fixture("animated.gif"), folder)

    assert near(opened(folder, stored).getpixel((4, 4)), RED)


def test_multi_picture_jpeg_from_a_phone_keeps_the_first_picture(folder):
    stored = store_image(fixture("two-pictures.mpo"), folder)

    image = opened(folder, stored)
    assert near(image.getpixel((2, 4)), RED)
    assert near(image.getpixel((13, 4)), BLUE)


def test_cmyk_jpeg_is_converted_to_rgb(folder):
    stored = store_image(fixture("cmyk.jpg"), folder)

    assert opened(folder, stored).mode == "RGB"


@pytest.mark.parametrize(
    "name",
    [
        "drawing.svg",
        "page.html",
        "document.pdf",
        "notes.jpg",  # text with a photo's name
        "truncated.jpg",
        "empty.jpg",
    ],
)
def test_anything_but_a_whole_photo_is_refused_and_leaves_nothing(folder, name):
    with pytest.raises(DomainError) as raised:
        store_image(fixture(name), folder)

    assert str(raised.value.message) == NOT_A_PHOTO
    assert files(folder) == []


@pytest.mark.parametrize(
    "name",
    [
        "bomb-64mp.png",  # Pillow only warns: refused all the same
        "bomb-100mp.png",  # Pillow refuses on its own
    ],
)
def test_a_picture_of_too_many_pixels_is_refused_as_too_big(folder, name):
    """Not called "not a photo": it may be one, from a camera set very high."""
    with pytest.raises(DomainError) as raised:
        store_image(fixture(name), folder)

    message = str(raised.value.message)
    assert message.startswith("This picture is too big to open: at most 40 megapixels")
    assert files(folder) == []


@pytest.mark.parametrize("name", ["bomb-64mp.png", "bomb-100mp.png"])
def test_bombs_are_small_files_declaring_too_many_pixels(name):
    data = (IMAGES / name).read_bytes()
    width, height = struct.unpack(">II", data[16:24])  # the PNG IHDR chunk

    assert len(data) < 20_000
    assert width * height > MAX_PIXELS
    assert Image.MAX_IMAGE_PIXELS == MAX_PIXELS


def test_corrupted_photos_are_refused_never_crash(folder):
    seeds = [(IMAGES / name).read_bytes() for name in ("exif-rotated.jpg", "cmyk.jpg")]
    seeds += [
        encoded(Image.effect_noise((24, 24), 60).convert("RGB"), format).getvalue()
        for format in ("PNG", "WEBP", "GIF")
    ]
    rng = random.Random(7)
    for _ in range(300):
        data = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        try:
            store_image(io.BytesIO(data), folder)
        except DomainError as error:  # a broken header may declare a huge size
            message = str(error.message)
            assert message == NOT_A_PHOTO or message.startswith(
                "This picture is too big"
            )
    assert all(NAME.fullmatch(name) for name in files(folder))


def test_stream_larger_than_max_bytes_is_refused_without_reading_it_all(folder):
    stream = encoded(Image.effect_noise((64, 64), 80).convert("RGB"), "PNG")
    size = len(stream.getvalue())

    with pytest.raises(DomainError) as raised:
        store_image(stream, folder, max_bytes=1000)

    assert size > 5000
    assert str(raised.value.message) == "The photo is too large."
    assert stream.tell() == 1001
    assert files(folder) == []


def test_stream_of_exactly_max_bytes_is_accepted(folder):
    stream = encoded(Image.new("RGB", (8, 8), RED), "PNG")

    stored = store_image(stream, folder, max_bytes=len(stream.getvalue()))

    assert files(folder) == [stored.name]


def test_client_name_and_content_type_are_never_used(folder):
    upload = FileStorage(
        io.BytesIO(b"<?php system($_GET['c']); ?>"),
        filename="../../cay-vai.jpg",
        content_type="image/jpeg",
    )
    with pytest.raises(DomainError):
        store_image(upload.stream, folder)

    upload = FileStorage(
        encoded(Image.new("RGB", (8, 8), RED), "PNG"),
        filename="../../cay-vai.php",
        content_type="application/x-php",
    )
    stored = store_image(upload.stream, folder)

    assert NAME.fullmatch(stored.name)
    assert "cay-vai" not in stored.name
    assert files(folder) == [stored.name]
    assert files(folder.parent) == ["uploads"]


def test_same_photo_twice_gets_two_names_in_a_new_nested_folder(tmp_path):
    folder = tmp_path / "a" / "b"
    first = store_image(fixture("transparent.png"), folder)
    second = store_image(fixture("transparent.png"), folder)

    assert first.name != second.name
    assert files(folder) == sorted([first.name, second.name])


def test_image_path_accepts_a_generated_name(folder):
    stored = store_image(fixture("cmyk.jpg"), folder)

    assert image_path(folder, stored.name) == folder / stored.name
    assert image_path(str(folder), stored.name).is_file()


@pytest.mark.parametrize(
    "name",
    [
        "../x",
        "a.webp",
        "x/../../etc/passwd",
        "/etc/passwd",
        "../" + "0" * 32 + ".webp",
        "0" * 32 + ".webp/",
        "0" * 32 + ".webp\n",
        "0" * 32 + ".png",
        "A" * 32 + ".webp",
        ".webp",
        "",
        None,
    ],
)
def test_image_path_refuses_names_it_did_not_make(folder, name):
    with pytest.raises(DomainError) as raised:
        image_path(folder, name)

    assert str(raised.value.message) == "This photo was not found."
