"""The application as the benchmarks serve it under gunicorn: ``served:app``.

Settings come as JSON in ``LMS_BENCH_CONFIG`` (the factory's test mapping), so the
benchmark can turn rate limits off: every request comes from 127.0.0.1.
"""

import json
import os

from lms import create_app

app = create_app(json.loads(os.environ.get("LMS_BENCH_CONFIG", "{}")))
