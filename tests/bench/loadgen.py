"""Load from a separate process: wrk when installed, else this module's own.

    python -m tests.bench.loadgen URL --seconds 5 [--connections 8]
        [--header "Name: value" ...] [--body TEMPLATE] [--rotation FILE]

With ``--body`` every request is a POST whose body is TEMPLATE with ``{id}``
replaced by an id unique to the request (sync events need fresh ids). With
``--rotation`` (JSON: senders, a list of header dicts, one per signed-in phone;
lessons, a list of [course, lesson]; start, a number), request k (counted from
start) goes with the headers of sender k mod S and ``{course}``/``{lesson}`` of
lesson (k div S) mod L: every phone sends lessons it has not sent yet. Prints
one JSON object: requests, errors (not 2xx, or failed), rps, p50_ms, p99_ms.
"""

import argparse
import http.client
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit


@dataclass
class Load:
    tool: str
    requests: int
    errors: int
    rps: float
    p50_ms: float
    p99_ms: float


def run_load(url, seconds, connections=8, headers=None, body=None, rotation=None):
    """Put ``url`` under load for ``seconds`` from another process; return Load.

    :param rotation: {"senders": [headers], "lessons": [[course, lesson]],
        "start": k} (see the module's doc), for POSTs only.
    """
    headers = headers or {}
    with tempfile.TemporaryDirectory() as folder:
        rotation_file = None
        if rotation is not None:
            rotation_file = Path(folder) / "rotation.json"
            rotation_file.write_text(json.dumps(rotation))
        if shutil.which("wrk"):
            return _wrk(url, seconds, connections, headers, body, rotation_file)
        command = [sys.executable, "-m", "tests.bench.loadgen", url]
        command += ["--seconds", str(seconds), "--connections", str(connections)]
        for name, value in headers.items():
            command += ["--header", f"{name}: {value}"]
        if body is not None:
            command += ["--body", body]
        if rotation_file is not None:
            command += ["--rotation", str(rotation_file)]
        output = subprocess.run(command, capture_output=True, text=True, check=True)
    return Load(tool="python", **json.loads(output.stdout))


WRK_SCRIPT = """
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local counter = 0
local template = %s
local rotation = %s
request = function()
  counter = counter + 1
  local id = "%s-" .. tid .. "-" .. counter
  local body = string.gsub(template, "{id}", id)
  local headers = nil
  if rotation then
    local k = rotation.start + counter - 1
    local senders, lessons = #rotation.senders, #rotation.lessons
    headers = {}  -- wrk.format takes these instead of the -H ones: both
    for name, value in pairs(wrk.headers) do headers[name] = value end
    for name, value in pairs(rotation.senders[k %% senders + 1]) do
      headers[name] = value
    end
    local lesson = rotation.lessons[math.floor(k / senders) %% lessons + 1]
    body = string.gsub(string.gsub(body, "{course}", lesson[1]), "{lesson}", lesson[2])
  end
  return wrk.format("POST", nil, headers, body)
end
"""
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _lua(value):
    """A JSON-like value (dicts, lists, strings, numbers) as a Lua literal."""
    if isinstance(value, dict):
        pairs = (f"[{_lua(key)}] = {_lua(each)}" for key, each in value.items())
        return "{" + ", ".join(pairs) + "}"
    if isinstance(value, list):
        return "{" + ", ".join(_lua(each) for each in value) + "}"
    if isinstance(value, str):
        return json.dumps(value)  # Lua reads a JSON string of ASCII the same
    return repr(value)


def _wrk(url, seconds, connections, headers, body, rotation_file=None):
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    with tempfile.TemporaryDirectory() as folder:
        if body is not None:
            rotation = "nil"
            if rotation_file is not None:
                rotation = _lua(json.loads(Path(rotation_file).read_text()))
            script = Path(folder) / "post.lua"
            script.write_text(
                WRK_SCRIPT % (json.dumps(body), rotation, uuid.uuid4().hex[:12])
            )
            command += ["-s", str(script)]
        output = subprocess.run(
            [*command, url], capture_output=True, text=True, check=True
        ).stdout
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    failed = 0
    if socket_errors:  # connect, read, write, timeout counts
        failed = sum(int(n) for n in re.findall(r"\d+", socket_errors.group(1)))
    return Load(
        tool="wrk",
        requests=requests,
        errors=(int(errors.group(1)) if errors else 0) + failed,
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        p50_ms=_latency(output, "50"),
        p99_ms=_latency(output, "99"),
    )


def _latency(output, percent):
    value, unit = re.search(rf"\n\s+{percent}%\s+([\d.]+)(us|ms|s|m)", output).groups()
    return float(value) * UNITS[unit]


def _python_load(url, seconds, connections, headers, body, rotation=None):
    """Keep ``connections`` threads requesting until time is up."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    deadline = time.monotonic() + seconds
    latencies, errors, lock = [], [0], threading.Lock()
    prefix = uuid.uuid4().hex[:12]
    turn = iter(range(rotation["start"], 1 << 62)) if rotation else None

    def post(number, count):
        data, sent = body.replace("{id}", f"{prefix}-{number}-{count}"), headers
        if rotation is not None:
            with lock:
                k = next(turn)
            senders, lessons = rotation["senders"], rotation["lessons"]
            sent = {**headers, **senders[k % len(senders)]}
            course, lesson = lessons[k // len(senders) % len(lessons)]
            data = data.replace("{course}", course).replace("{lesson}", lesson)
        return data.encode(), sent

    def worker(number):
        connection = http.client.HTTPConnection(parts.hostname, parts.port)
        mine, failed, count = [], 0, 0
        while time.monotonic() < deadline:
            count += 1
            start = time.perf_counter()
            try:
                if body is None:
                    connection.request("GET", path, headers=headers)
                else:
                    connection.request("POST", path, *post(number, count))
                response = connection.getresponse()
                response.read()
                if not 200 <= response.status < 300:
                    failed += 1
            except (OSError, http.client.HTTPException):
                failed += 1
                connection.close()
            mine.append(time.perf_counter() - start)
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "requests": len(latencies),
        "errors": errors[0],
        "rps": len(latencies) / elapsed,
        "p50_ms": cuts[49] * 1000,
        "p99_ms": cuts[98] * 1000,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--header", action="append", default=[])
    parser.add_argument("--body")
    parser.add_argument("--rotation", type=Path)
    args = parser.parse_args()
    headers = dict(h.split(": ", 1) for h in args.header)
    if args.body is not None:
        headers.setdefault("Content-Type", "application/json")
    rotation = json.loads(args.rotation.read_text()) if args.rotation else None
    result = _python_load(
        args.url, args.seconds, args.connections, headers, args.body, rotation
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
