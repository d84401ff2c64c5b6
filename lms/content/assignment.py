"""Read a course's assignment.yaml: its practical work and rubric (pure)."""

from flask_babel import lazy_gettext as _l

from lms.content.fields import (
    Invalid,
    Mapping,
    Problem,
    item_id_field,
    localised_field,
    only_keys,
    read_yaml_file,
    required,
    text_field,
)
from lms.content.render import markdown_problem

MAX_CRITERIA = 6
MAX_PHOTOS = 3


def parse_assignment(path, problems):
    """Return the assignment in ``path``: None when there is none or it is wrong."""
    try:
        data = read_yaml_file(
            path,
            problems,
            _l(
                "assignment.yaml must be a mapping with instructions, rubric "
                "and hand_in"
            ),
        )
        if data is None:
            return None
        only_keys(data, {"instructions", "rubric", "hand_in"})
        instructions_vi, instructions_en = localised_field(data, "instructions")
        for text in (instructions_vi, instructions_en):
            if text and (problem := markdown_problem(text)) is not None:
                raise Invalid(problem)
        rubric = _rubric(data)
        accepts_link, max_photos = _hand_in(data)
    except Invalid as invalid:
        problems.append(Problem(path, invalid.message, invalid.line))
        return None
    return {
        "instructions_vi": instructions_vi,
        "instructions_en": instructions_en,
        "rubric": rubric,
        "accepts_link": accepts_link,
        "max_photos": max_photos,
    }


def _rubric(data):
    raw_rubric = required(data, "rubric", list)
    if not 1 <= len(raw_rubric) <= MAX_CRITERIA:
        raise Invalid(_l("the rubric has 1 to 6 criteria"), data.lines["rubric"])
    rubric, ids = [], set()
    for raw in raw_rubric:
        if not isinstance(raw, Mapping):
            raise Invalid(
                _l("each rubric criterion is a mapping with id, vi and en"),
                data.lines["rubric"],
            )
        only_keys(raw, {"id", "vi", "en"})
        criterion = {
            "id": item_id_field(raw, "id"),
            "vi": text_field(raw, "vi"),
            "en": text_field(raw, "en") if "en" in raw else None,
        }
        if criterion["id"] in ids:
            raise Invalid(
                _l("the rubric id “%(id)s” is used twice", id=criterion["id"]),
                raw.lines["id"],
            )
        ids.add(criterion["id"])
        rubric.append(criterion)
    return rubric


def _hand_in(data):
    """Read what the farmer may hand in: (accepts a link, how many photos)."""
    if data.get("hand_in") is None:
        raise Invalid(_l("“%(key)s” is missing", key="hand_in"), data.line)
    hand_in = data["hand_in"]
    if not isinstance(hand_in, Mapping):
        raise Invalid(
            _l("hand_in is a mapping with link and photos"), data.lines["hand_in"]
        )
    only_keys(hand_in, {"link", "photos"})
    for key in ("link", "photos"):
        if key not in hand_in:
            raise Invalid(_l("“%(key)s” is missing", key=key), hand_in.line)
    link, photos = hand_in["link"], hand_in["photos"]
    if not isinstance(link, bool):
        raise Invalid(_l("link is true or false"), hand_in.lines["link"])
    if (
        not isinstance(photos, int)
        or isinstance(photos, bool)
        or not 0 <= photos <= MAX_PHOTOS
    ):
        raise Invalid(
            _l("photos is a whole number from 0 to 3"), hand_in.lines["photos"]
        )
    if not link and not photos:
        raise Invalid(
            _l("nothing can be handed in: allow a link, photos or both"),
            data.lines["hand_in"],
        )
    return link, photos
