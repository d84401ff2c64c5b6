"""Vietnamese alphabetical order, as keys a database can sort and index.

Letters in the Vietnamese alphabet's order (a ă â b c d đ e ê ... o ô ơ ... u ư ...),
case ignored; tones only after the letters, in dictionary order (none, huyền,
hỏi, ngã, sắc, nặng). A key is plain ASCII, so it sorts the same as bytes in
SQLite and in PostgreSQL (the column is declared with the "C" collation there).

People are listed as rosters list them: by given name (the last word), then by
the family and middle names; ``family_first`` is the name as written, for the
other order. Places sort without their kind ("Xã", "Phường", ...).
"""

import re
import unicodedata

ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
# NFD marks that make a letter of its own (ă â ê ô ơ ư) and the five tones.
LETTER_MARKS = ("\u0306", "\u0302", "\u031b")
TONES = {"\u0300": "1", "\u0309": "2", "\u0303": "3", "\u0301": "4", "\u0323": "5"}
WORD_GAP = "!"  # below every letter and digit: "Ba" before "Bac"
LEVEL_GAP = " "  # below WORD_GAP: letters decide before tones
PART_GAP = "|"
KEY_LENGTH = 400
PLACE_KINDS = re.compile(
    r"^(xã|phường|thị trấn|thị xã|đặc khu|huyện|quận|thành phố|tỉnh|tp\.?)\s+",
    re.IGNORECASE,
)


def unaccent(text):
    """Lower case without marks, for matching and slugs: "Đỗ Thị Ánh" -> "do thi
    anh" (composed or decomposed, as phones type)."""
    text = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    return "".join(c for c in text if not unicodedata.combining(c))


def _rank(letter):
    return chr(0x30 + 10 + ALPHABET.index(letter))


def _letters(text):
    """(base letter with its own marks, tone) for each letter; digits and gaps."""
    out = []
    for char in unicodedata.normalize("NFD", text.casefold()):
        if char in TONES and out and out[-1][1] == "0":
            out[-1] = (out[-1][0], TONES[char])
        elif char in LETTER_MARKS and out and out[-1][1] == "0":
            out[-1] = (out[-1][0] + char, "0")
        elif unicodedata.combining(char):
            continue  # a mark Vietnamese does not use: sort as the bare letter
        elif char.isspace():
            out.append((WORD_GAP, None))
        elif char.isalnum():
            out.append((char, "0"))
    return out


def sort_key(text):
    """The key that puts ``text`` in Vietnamese order.

    One tone per word (a syllable has one), wherever it was typed: "hoà" and
    "hòa" are the same word.
    """
    primary, tones, word_tone = [], [], "0"
    for letter, tone in _letters(" ".join(text.split())) + [(WORD_GAP, None)]:
        if tone is None:
            primary.append(WORD_GAP)
            tones.append(word_tone)
            word_tone = "0"
            continue
        word_tone = max(word_tone, tone)
        letter = unicodedata.normalize("NFC", letter)
        if letter in ALPHABET:
            primary.append(_rank(letter))
        elif letter in "0123456789":
            primary.append(letter)  # digits sort before letters
        else:
            base = unicodedata.normalize("NFD", letter)[0]
            primary.append(_rank(base) if base in ALPHABET else "~")
    key = "".join(primary[:-1]) + LEVEL_GAP + "".join(tones)
    return key[:KEY_LENGTH]


def given_first(name):
    """Key for rosters: given name, then family and middle names."""
    words = name.split()
    if len(words) < 2:
        return sort_key(name)
    return (sort_key(words[-1]) + PART_GAP + sort_key(" ".join(words[:-1])))[
        :KEY_LENGTH
    ]


def family_first(name):
    """Key for the name as written: family name first."""
    return sort_key(name)


def place_key(name):
    """Key for an area: its name without the kind in front ("Xã An" -> "An")."""
    return sort_key(PLACE_KINDS.sub("", name.strip()))


def name_sort_keys(name):
    """A person's two sort columns, for rows written without the ORM."""
    return {
        "name_sort_given": given_first(name),
        "name_sort_family": family_first(name),
    }
