"""The OpenAPI 3.1 description of /api/v1, for other programs and for tests."""

from lms.reports.api_spec import TOKEN_SCHEME, report_paths

ERROR = {
    "type": "object",
    "properties": {"error": {"type": "string"}},
    "required": ["error"],
}
EVENT_ID = {"type": "string", "pattern": "^[A-Za-z0-9-]{8,64}$"}
WHEN = {"type": "string", "format": "date-time", "description": "By the device's clock"}
LESSON_EVENT = {
    "type": "object",
    "properties": {
        "id": EVENT_ID,
        "type": {"const": "lesson.complete"},
        "course": {"type": "string"},
        "lesson": {"type": "string"},
        "at": WHEN,
    },
    "required": ["id", "type", "course", "lesson"],
    "additionalProperties": False,
}
QUIZ_EVENT = {
    "type": "object",
    "properties": {
        "id": EVENT_ID,
        "type": {"const": "quiz.submit"},
        "course": {"type": "string"},
        "paper": {
            "type": "string",
            "description": "The quiz form's quiz_paper field: the signed paper "
            "(questions and choice order) the answers were given on",
        },
        "answers": {
            "type": "object",
            "description": "Question id -> the places ticked on the paper, as the "
            "quiz form's values (0 is the first choice shown); every question on "
            "the paper needs one",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
        "at": WHEN,
    },
    "required": ["id", "type", "course", "paper", "answers"],
    "additionalProperties": False,
}
RESULT = {
    "type": "object",
    "properties": {
        "id": {"type": ["string", "null"]},
        "status": {"enum": ["applied", "duplicate", "rejected"]},
        "error": {"type": "string", "description": "Why it was rejected; final"},
        "quiz": {
            "type": "object",
            "properties": {
                "score": {"type": "integer", "minimum": 0, "maximum": 100},
                "passed": {"type": "boolean"},
                "attempt": {"type": "string"},
                "message": {
                    "type": "string",
                    "description": "The result for the person, in their language",
                },
            },
        },
    },
    "required": ["id", "status"],
}


def _responses(ok, extra=()):
    responses = {"200": ok}
    for code in ("400", "401", "404", "429", *extra):
        responses[code] = {
            "description": {
                "400": "The request is not in the expected form",
                "401": "Not signed in",
                "404": "Not found, or not readable by this user",
                "429": "Too many requests",
            }.get(code, "Error"),
            "content": {"application/json": {"schema": ERROR}},
        }
    return responses


def openapi_document(url):
    """Describe every /api/v1 endpoint with its schemas."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Farmers' Digital Academy API",
            "version": "1",
            "description": "Offline reading and progress sync for the learner's "
            "pages, and officials' report figures. Uses the signed-in session "
            "cookie (state changes need the page's CSRF token in X-CSRFToken); "
            "the reports also take a personal token.",
        },
        "servers": [{"url": url.removesuffix("/api/v1/openapi.json")}],
        "components": {
            "securitySchemes": {
                "session": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "session",
                    "description": "Named __Host-session when the site is served "
                    "over https.",
                },
                "token": TOKEN_SCHEME,
            }
        },
        "security": [{"session": []}],
        "paths": {
            **report_paths(),
            "/api/v1/openapi.json": {
                "get": {
                    "summary": "This document",
                    "security": [],
                    "responses": {"200": {"description": "OpenAPI 3.1 document"}},
                }
            },
            "/api/v1/courses/{slug}/offline": {
                "get": {
                    "summary": "What to download to read a course offline",
                    "parameters": [
                        {
                            "name": "slug",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": _responses(
                        {
                            "description": "URLs and their estimated total size",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "course": {"type": "string"},
                                            "bytes": {"type": "integer", "minimum": 0},
                                            "urls": {
                                                "type": "array",
                                                "items": {"type": "string"},
                                            },
                                        },
                                        "required": ["course", "bytes", "urls"],
                                    }
                                }
                            },
                        }
                    ),
                }
            },
            "/api/v1/progress/sync": {
                "post": {
                    "summary": "Apply progress made offline, each event at most once",
                    "description": "Events apply in order, each on its own: one "
                    "result per event. A replayed id returns its first result "
                    "('duplicate'); an id reused with another body is rejected. "
                    "The user is the session's; quiz results are decided from the "
                    "answers; unknown fields are rejected.",
                    "parameters": [
                        {
                            "name": "X-CSRFToken",
                            "in": "header",
                            "required": True,
                            "schema": {"type": "string"},
                        }
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "events": {
                                            "type": "array",
                                            "minItems": 1,
                                            "maxItems": 100,
                                            "items": {
                                                "oneOf": [LESSON_EVENT, QUIZ_EVENT]
                                            },
                                        }
                                    },
                                    "required": ["events"],
                                }
                            }
                        },
                    },
                    "responses": _responses(
                        {
                            "description": "One result per event, in order",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "results": {
                                                "type": "array",
                                                "items": RESULT,
                                            }
                                        },
                                        "required": ["results"],
                                    }
                                }
                            },
                        }
                    ),
                }
            },
        },
    }
