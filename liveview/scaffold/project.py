"""What `liveview new` writes: the project's files, from the templates beside this module.

The templates are package data (`templates/*.tmpl`), filled with `string.Template` (`$name`), so
the Jinja2 in the LiveView's own template passes through untouched. Everything here is checked
before the first file is written: a refused project leaves nothing behind.
"""

from __future__ import annotations

import json
import keyword
import re
import sys
import tomllib
from importlib import metadata, resources
from importlib.util import find_spec
from pathlib import Path
from string import Template
from typing import Literal, TypeAlias
from urllib.parse import unquote, urlsplit

Backend: TypeAlias = Literal["redis", "postgres"]

# The generated project's test extra, pinned as liveview's own `dev` extra pins them (a unit test
# keeps the two equal).
TEST_REQUIREMENTS = ("pytest==9.0.3", "pytest-asyncio==1.5.0")

# Names a project's package may not take, besides the standard library's: they would shadow or
# be shadowed by what the project imports or holds.
RESERVED = frozenset({"liveview", "tests"})


class ProjectError(ValueError):
    """A project `liveview new` refuses to write; the message says why. Nothing was written."""


def check_name(name: str) -> None:
    """Refuse a NAME that cannot be the project's Python package (imported as `NAME.app`)."""
    if not (name.isascii() and name.isidentifier()):
        hint = re.sub(r"\W", "_", name.replace("-", "_"))
        suggestion = f" (e.g. {hint!r})" if hint.isascii() and hint.isidentifier() else ""
        raise ProjectError(
            f"{name!r} is not a Python package name: use letters, digits and underscores, "
            f"not starting with a digit{suggestion}"
        )
    if name != name.lower():
        raise ProjectError(f"{name!r}: use a lowercase package name ({name.lower()!r})")
    if name.startswith("__") and name.endswith("__"):
        raise ProjectError(f"{name!r}: names with double underscores on both sides are Python's")
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        raise ProjectError(f"{name!r} is a Python keyword: choose another name")
    if name in sys.stdlib_module_names or name in RESERVED:
        owner = "the standard library" if name in sys.stdlib_module_names else "liveview"
        raise ProjectError(f"{name!r} is a module of {owner}: the project would shadow it")
    try:
        spec = find_spec(name)
        origin = None if spec is None else spec.origin
    except ValueError:  # a module loaded without a spec
        origin = "loaded"
    if origin not in (None, "namespace"):  # a real module, installed or loaded
        raise ProjectError(
            f"{name!r} is already a module here ({origin}): the project would shadow it "
            "or be shadowed by it; choose another name"
        )


def check_folder(folder: Path) -> None:
    """Refuse a folder that exists and holds anything: a project is written only into a new or
    empty one, so nothing of the user's is overwritten."""
    if folder.exists() and not folder.is_dir():
        raise ProjectError(f"{folder} exists and is not a folder")
    if folder.is_dir() and any(folder.iterdir()):
        raise ProjectError(
            f"{folder} is not empty: liveview new writes into a new or empty folder only"
        )


def installed_version() -> str:
    """liveview's version: from the installed distribution, else from the checkout's
    pyproject.toml (run from a checkout that is not installed)."""
    try:
        return metadata.version("liveview")
    except metadata.PackageNotFoundError:
        pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
        try:
            project = tomllib.loads(pyproject.read_text())["project"]
        except (OSError, KeyError, tomllib.TOMLDecodeError) as error:
            raise ProjectError(f"liveview's version is unknown (not installed): {error}") from None
        return str(project["version"])


def install_source() -> str | None:
    """Where the installed liveview came from (its PEP 610 `direct_url.json`: a checkout or a
    wheel), for the next steps `liveview new` prints; None if unknown."""
    try:
        recorded = metadata.distribution("liveview").read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        return None
    if not recorded:
        return None
    url = json.loads(recorded).get("url")
    if not isinstance(url, str) or not url:
        return None
    parts = urlsplit(url)
    return unquote(parts.path) if parts.scheme == "file" else url


def requirement(version: str, backend: Backend | None) -> str:
    """`liveview>=VERSION,<NEXT`: up to the next minor version while liveview is 0.x, else up to
    the next major (the extra of the backend, if any)."""
    match = re.match(r"(\d+)\.(\d+)", version)
    if match is None:
        raise ProjectError(f"liveview's version {version!r} does not start with MAJOR.MINOR")
    major, minor = int(match[1]), int(match[2])
    upper = f"{major}.{minor + 1}" if major == 0 else f"{major + 1}"
    extra = f"[{backend}]" if backend else ""
    return f"liveview{extra}>={version},<{upper}"


def _template(name: str) -> Template:
    return Template(resources.files(__package__).joinpath("templates", name).read_text())


def project_files(name: str, backend: Backend | None, version: str) -> dict[str, str]:
    """The project's files (path relative to its folder -> text)."""
    suffix = f"-{backend}" if backend else ""
    values = {
        "name": name,
        "liveview_requirement": requirement(version, backend),
        "test_requirements": ", ".join(f'"{pin}"' for pin in TEST_REQUIREMENTS),
    }
    values["backend_notes"] = _template(f"notes{suffix}.md.tmpl").substitute(values).rstrip()
    sources = {
        "pyproject.toml": "pyproject.toml.tmpl",
        "README.md": "README.md.tmpl",
        ".gitignore": "gitignore.tmpl",
        f"{name}/__init__.py": "__init__.py.tmpl",
        f"{name}/app.py": f"app{suffix}.py.tmpl",
        f"{name}/counter.py": "counter.py.tmpl",
        f"{name}/counter.html": "counter.html.tmpl",
        "tests/test_counter.py": "test_counter.py.tmpl",
    }
    return {path: _template(source).substitute(values) for path, source in sources.items()}


def write_project(name: str, folder: Path, backend: Backend | None = None) -> list[Path]:
    """Write the project NAME into `folder` (new or empty); the paths written, in order. If a
    file cannot be written, what was written is removed again and ProjectError says why."""
    check_name(name)
    check_folder(folder)
    files = project_files(name, backend, installed_version())
    made: list[Path] = []  # folders and files created, in order
    try:
        for relative, text in files.items():
            path = folder / relative
            missing = [p for p in (path.parent, *path.parent.parents) if not p.exists()]
            path.parent.mkdir(parents=True, exist_ok=True)
            made.extend(reversed(missing))
            path.write_text(text)
            made.append(path)
    except OSError as error:
        for path in reversed(made):
            if path.is_dir():
                path.rmdir()
            else:
                path.unlink()
        raise ProjectError(f"cannot write {folder / relative}: {error.strerror or error}") from None
    return [path for path in made if path.is_file()]
