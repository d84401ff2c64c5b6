"""The OpenAPI description of /api/v1/reports/*, merged into the API document."""

from lms.reports.labels import FIGURES

FILTERS = [
    {
        "name": "period",
        "in": "query",
        "description": "Days ending today (Asia/Ho_Chi_Minh)",
        "schema": {"type": "integer", "enum": [7, 30, 90, 365], "default": 30},
    },
    {
        "name": "area",
        "in": "query",
        "description": "An area id inside the reader's own area (drill-down)",
        "schema": {"type": "integer"},
    },
    {"name": "course", "in": "query", "schema": {"type": "string"}},
    {"name": "club", "in": "query", "schema": {"type": "string"}},
    {"name": "class", "in": "query", "schema": {"type": "integer"}},
]
NUMBER = {"type": ["integer", "null"]}
FIGURE = {
    "type": "object",
    "properties": {"value": NUMBER, "previous": NUMBER, "change": NUMBER},
}
SCOPE = {
    "area": {"type": ["object", "null"]},
    "period": {"type": "object"},
    "filters": {"type": "object"},
}
ANSWERS = {
    "400": {"description": "A filter that is not one of the choices"},
    "401": {"description": "No valid token and not signed in"},
    "403": {"description": "Not an official or admin, or an official with no area"},
    "404": {"description": "An area or class outside the reader's area"},
}


def _get(summary, properties):
    schema = {"type": "object", "properties": {**SCOPE, **properties}}
    return {
        "get": {
            "summary": summary,
            "security": [{"token": []}, {"session": []}],
            "parameters": FILTERS,
            "responses": {
                "200": {
                    "description": summary,
                    "content": {"application/json": {"schema": schema}},
                },
                **ANSWERS,
            },
        }
    }


def report_paths():
    rows = {"type": "array", "items": {"type": "object"}}
    figures = {name: FIGURE for name in FIGURES if name not in ("new_learners",)}
    return {
        "/api/v1/reports/overview": _get(
            "Figures for the area and period, with the period before",
            {"figures": {"type": "object", "properties": figures}},
        ),
        "/api/v1/reports/areas": _get("Figures per child area", {"rows": rows}),
        "/api/v1/reports/courses": _get("Figures per course", {"rows": rows}),
        "/api/v1/reports/trend": _get(
            "Weekly registrations, completions and certificates, 52 weeks",
            {"weeks": {"type": "array"}, "series": {"type": "object"}},
        ),
    }


TOKEN_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": "A personal token an official makes under Reports, API tokens",
}
