"""Files people write in other programs: their text and what is wrong in them."""

import unicodedata

from lms.services import DomainError

UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class FileProblems(DomainError):
    """The file is wrong; ``problems`` lists (line, reason) for each bad row."""

    def __init__(self, problems):
        super().__init__("\n".join(f"{line}: {reason}" for line, reason in problems))
        self.problems = problems


def decode_text(data, utf16=False):
    """UTF-8 bytes, with or without a byte order mark, as NFC text.

    :param utf16: also read UTF-16 that starts with its byte order mark.
    :raise UnicodeDecodeError: the bytes are not text in those encodings.
    """
    if utf16 and data.startswith(UTF16_BOMS):
        text = data.decode("utf-16")
    else:
        text = data.decode("utf-8-sig")
    return unicodedata.normalize("NFC", text)
