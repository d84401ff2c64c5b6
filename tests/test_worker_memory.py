"""A web worker holds what serving pages needs: libraries for rare work (a
trainer's recording, an Excel export) load when that work comes (the memory
budget, README "Performance")."""

from tests.helpers import fresh_python

LOADED_AT_START = """
import sys
from lms import create_app

app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"})
app.test_client().get("/healthz")
print("loaded:", *(name for name in ("av", "openpyxl", "fpdf") if name in sys.modules))
"""


def test_a_worker_starts_without_ffmpeg_openpyxl_or_the_pdf_library():
    lines = fresh_python(LOADED_AT_START).splitlines()
    assert [line for line in lines if line.startswith("loaded:")] == ["loaded:"]
