"""`liveview new`: the files it writes, what they hold, and the names and folders it refuses."""

from __future__ import annotations

import importlib
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from liveview import PostgresPubSub, RedisPubSub, SingleProcessPubSub
from liveview.cli import main
from liveview.scaffold import (
    Backend,
    ProjectError,
    check_name,
    installed_version,
    requirement,
    write_project,
)
from liveview.scaffold.project import TEST_REQUIREMENTS
from liveview.template import Template

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
BACKENDS: list[Backend | None] = [None, "redis", "postgres"]
FILES = [
    ".gitignore",
    "README.md",
    "pyproject.toml",
    "{name}/__init__.py",
    "{name}/app.py",
    "{name}/counter.html",
    "{name}/counter.py",
    "tests/test_counter.py",
]


def files_of(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_cli_writes_the_project_into_a_folder_named_after_it(
    backend: Backend | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    flags = [f"--{backend}"] if backend else []
    assert main(["new", "shop", *flags]) == 0
    assert files_of(tmp_path / "shop") == sorted(f.format(name="shop") for f in FILES)


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_files_parse_compile_and_name_the_installed_liveview(
    backend: Backend | None, tmp_path: Path
) -> None:
    write_project("shop", tmp_path, backend)
    pyproject = tomllib.loads((tmp_path / "pyproject.toml").read_text())
    extra = f"[{backend}]" if backend else ""
    assert pyproject["project"]["name"] == "shop"
    assert pyproject["project"]["dependencies"] == [f"liveview{extra}>={installed_version()},<0.2"]
    assert pyproject["project"]["optional-dependencies"]["test"] == list(TEST_REQUIREMENTS)
    assert pyproject["tool"]["setuptools"]["package-data"] == {"shop": ["*.html"]}
    for source in tmp_path.rglob("*.py"):
        compile(source.read_text(), str(source), "exec")
    template = Template.from_file(tmp_path / "shop" / "counter.html")
    assert '<output id="count">7</output>' in template.render_html({"count": 7}, strict=True)
    readme = (tmp_path / "README.md").read_text()
    assert "liveview run shop.app:app" in readme and "pytest" in readme
    assert "$" + "name" not in readme and "http" + "s://" not in readme  # filled; no outside link
    ignored = (tmp_path / ".gitignore").read_text().split()
    assert {".venv/", "__pycache__/", ".liveview/"} <= set(ignored)


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_python_files_are_ruff_clean_with_the_repos_rules(
    backend: Backend | None, tmp_path: Path
) -> None:
    write_project("shop", tmp_path, backend)
    rules = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ruff"]
    isolated = ["--isolated", "--line-length", str(rules["line-length"])]
    select = ["--select", ",".join(rules["lint"]["select"]), "--target-version", "py311"]
    for command in (["check", *isolated, *select, "."], ["format", "--check", *isolated, "."]):
        result = subprocess.run(
            [str(BIN / "ruff"), *command], cwd=tmp_path, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("backend", "url", "kind"),
    [
        (None, None, SingleProcessPubSub),
        ("redis", None, RedisPubSub),
        ("redis", "redis://127.0.0.1:6390/3", RedisPubSub),
        ("postgres", None, PostgresPubSub),
        ("postgres", "host=127.0.0.1 dbname=shop", PostgresPubSub),
    ],
)
def test_the_app_takes_its_pubsub_from_liveview_pubsub_url(
    backend: Backend | None,
    url: str | None,
    kind: type,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    name = f"shop_{backend or 'memory'}_{int(url is not None)}"  # a package per case
    write_project(name, tmp_path, backend)
    monkeypatch.syspath_prepend(str(tmp_path))
    if url is None:
        monkeypatch.delenv("LIVEVIEW_PUBSUB_URL", raising=False)
    else:
        monkeypatch.setenv("LIVEVIEW_PUBSUB_URL", url)
    app = importlib.import_module(f"{name}.app").app
    assert type(app.pubsub) is kind
    if kind is RedisPubSub:
        assert app.pubsub.url == (url or "redis://127.0.0.1:6379/0")
    if kind is PostgresPubSub:
        assert app.pubsub.dsn == (url or "postgresql://127.0.0.1:5432/postgres")


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_projects_tests_pass_without_a_broker(backend: Backend | None, tmp_path: Path) -> None:
    """The generated tests run on the in-process pub/sub whatever the app's backend (the full
    install into a fresh venv is tests/e2e/test_scaffold.py)."""
    write_project("shop", tmp_path, backend)
    nowhere = {"redis": "redis://127.0.0.1:1/0", "postgres": "postgresql://127.0.0.1:1/x"}
    env = {"PATH": str(BIN), "PYTHONPATH": str(tmp_path)}
    if backend:  # a broker on a port nothing listens on: the tests pass without reaching it
        env["LIVEVIEW_PUBSUB_URL"] = nowhere[backend]
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout


def test_the_test_extra_pins_what_liveview_itself_tests_with() -> None:
    dev = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = set(dev["optional-dependencies"]["dev"])
    assert set(TEST_REQUIREMENTS) <= pins


@pytest.mark.parametrize(
    ("version", "backend", "expected"),
    [
        ("0.1.0", None, "liveview>=0.1.0,<0.2"),
        ("0.9.3", "redis", "liveview[redis]>=0.9.3,<0.10"),
        ("1.4.2", "postgres", "liveview[postgres]>=1.4.2,<2"),
        ("0.2.0.dev1", None, "liveview>=0.2.0.dev1,<0.3"),
    ],
)
def test_the_requirement_is_the_installed_version_up_to_the_next_breaking_one(
    version: str, backend: Backend | None, expected: str
) -> None:
    assert requirement(version, backend) == expected


def test_a_version_without_major_and_minor_is_refused() -> None:
    with pytest.raises(ProjectError, match=r"MAJOR\.MINOR"):
        requirement("unknown", None)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("my-app", "not a Python package name.*'my_app'"),
        ("1app", "not a Python package name"),
        ("", "not a Python package name"),
        ("my app", "not a Python package name.*'my_app'"),
        ("démo", "not a Python package name"),
        ("Demo", "lowercase.*'demo'"),
        ("class", "keyword"),
        ("match", "keyword"),
        ("json", "standard library"),
        ("liveview", "module of liveview"),
        ("tests", "module of liveview"),
        ("starlette", "already a module here"),
        ("pip", "already a module here"),
        ("__main__", "double underscores"),
        ("__init__", "double underscores"),
    ],
)
def test_a_name_that_cannot_be_the_package_is_refused_and_nothing_is_written(
    name: str,
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(ProjectError, match=message):
        check_name(name)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit:
        main(["new", name, "--dir", "project"])
    assert exit.value.code == 2
    assert "liveview new: error:" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_folder_that_is_not_empty_is_refused_and_left_as_it_was(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(SystemExit):
        main(["new", "shop", "--dir", str(tmp_path)])
    assert "is not empty" in capsys.readouterr().err
    assert files_of(tmp_path) == ["notes.txt"] and (tmp_path / "notes.txt").read_text() == "mine"


def test_a_file_in_place_of_the_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "shop").write_text("mine")
    with pytest.raises(ProjectError, match="not a folder"):
        write_project("shop", tmp_path / "shop")
    assert (tmp_path / "shop").read_text() == "mine"


def test_a_folder_under_a_file_is_refused_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(SystemExit):
        main(["new", "shop", "--dir", str(tmp_path / "notes.txt" / "shop")])
    assert "cannot write" in capsys.readouterr().err
    assert files_of(tmp_path) == ["notes.txt"] and (tmp_path / "notes.txt").read_text() == "mine"


def test_a_write_that_fails_half_way_takes_back_what_was_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk cannot be had in a test: the fifth file's write fails instead."""
    real_write = Path.write_text
    calls = []

    def write_text(path: Path, text: str) -> int:
        calls.append(path)
        if len(calls) == 5:
            raise OSError(28, "No space left on device")
        return real_write(path, text)

    monkeypatch.setattr(Path, "write_text", write_text)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ProjectError, match=r"cannot write .*app\.py: No space left on device"):
        write_project("shop", tmp_path / "empty")
    calls.clear()
    with pytest.raises(ProjectError, match="No space left"):
        write_project("shop", tmp_path / "new" / "nested")  # folders it made go too
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["empty"]  # the folder we were given


def test_an_empty_folder_is_used(tmp_path: Path) -> None:
    written = write_project("shop", tmp_path)
    assert sorted(str(p.relative_to(tmp_path)) for p in written) == files_of(tmp_path)


def test_redis_and_postgres_together_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["new", "shop", "--redis", "--postgres"])
    assert "not allowed with argument" in capsys.readouterr().err


def test_the_cli_prints_the_next_steps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    main(["new", "shop", "--redis"])
    out = capsys.readouterr().out
    assert "wrote shop/shop/counter.html" in out
    assert "liveview run shop.app:app" in out and "pip install -e '.[test]' && pytest" in out
