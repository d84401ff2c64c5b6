"""The application runs on what `pip install -e .` installs, not on the test extra.

The README's first command installs the project without its test dependencies,
so a module the application imports that only a test dependency brings starts
in development and CI and fails on a fresh machine.
"""

import ast
import re
import sys
import tomllib
from importlib.metadata import distribution, packages_distributions
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).parent.parent
SOURCES = [ROOT / "app.py", ROOT / "gunicorn.conf.py", *(ROOT / "lms").rglob("*.py")]


def top_level_imports(path):
    """The top-level names of the modules ``path`` imports (not relative ones)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names.add(node.module.split(".")[0])
    return names


def normalised(name):
    return re.sub(r"[-_.]+", "-", name).lower()  # PEP 503


def runtime_closure():
    """The distributions `pip install -e .` brings: the project's dependencies and
    theirs, with the extras asked for, on this Python and platform."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [Requirement(line) for line in project["dependencies"]]
    seen = set()
    while wanted:
        requirement = wanted.pop()
        name = normalised(requirement.name)
        if name in seen:
            continue
        seen.add(name)
        for line in distribution(name).requires or ():
            needed = Requirement(line)
            if needed.marker is None or any(
                needed.marker.evaluate({"extra": extra})
                for extra in requirement.extras or {""}
            ):
                wanted.append(needed)
    return seen


def test_every_module_the_application_imports_is_a_runtime_dependency():
    providers = packages_distributions()
    closure = runtime_closure()
    missing = {}
    for path in SOURCES:
        for module in top_level_imports(path):
            if module in sys.stdlib_module_names or module in {"lms", "app"}:
                continue
            names = {normalised(d) for d in providers.get(module, [module])}
            if not names & closure:
                missing.setdefault(module, []).append(str(path.relative_to(ROOT)))
    assert missing == {}, (
        f"imported, but not installed by `pip install -e .`: {missing}"
    )
