"""The Jinja environments templates compile against.

Output escaping is done by this engine, but Jinja's own autoescape still matters: it decides
how ``~`` concatenation and opaque statements (``include``, ``macro``...) treat markup, so an
environment without it is refused. Async environments are refused too: slots are evaluated
synchronously inside one render pass.

Every environment also finds the templates the package ships under the ``liveview/`` prefix
(``{% from "liveview/forms.html" import input %}``), after its own loader's.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import jinja2

from liveview.js import JS
from liveview.uploads import live_file_input, live_img_preview, upload_error_message

from .components import CALL_NAME, live_component
from .flash import GLOBAL_NAME, flash_group

UPLOAD_HELPERS = {
    "live_file_input": live_file_input,
    "live_img_preview": live_img_preview,
    "upload_error_message": upload_error_message,
}
"""The upload helpers every environment gets (unless it has its own of that name)."""

PACKAGE_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
PACKAGE_LOADER = jinja2.PrefixLoader({"liveview": jinja2.FileSystemLoader(PACKAGE_TEMPLATES)})
"""Finds ``liveview/<name>`` in the package's ``templates`` folder (form helpers...)."""


@functools.cache
def default_environment() -> jinja2.Environment:
    """The shared environment for templates given as source strings (the package's own
    templates only)."""
    return check_environment(jinja2.Environment(autoescape=True))


@functools.cache
def directory_environment(directory: str) -> jinja2.Environment:
    """An environment whose loader reads ``directory``, so ``{% include %}`` works from files."""
    return check_environment(
        jinja2.Environment(autoescape=True, loader=jinja2.FileSystemLoader(directory))
    )


def check_environment(environment: jinja2.Environment) -> jinja2.Environment:
    """Refuse environments this engine cannot render with; return the environment, with the
    ``live_component``, ``flash_group`` and ``JS`` globals added when it has none of those names,
    and the package's templates after its loader."""
    if environment.is_async:
        raise ValueError("liveview templates need a synchronous Jinja environment")
    if environment.autoescape is False:
        raise ValueError("liveview templates need a Jinja environment with autoescape enabled")
    environment.globals.setdefault(CALL_NAME, live_component)
    environment.globals.setdefault(GLOBAL_NAME, flash_group)
    for name, helper in UPLOAD_HELPERS.items():
        environment.globals.setdefault(name, helper)
    environment.globals.setdefault("JS", JS)
    loader = environment.loader
    if loader is None:
        environment.loader = PACKAGE_LOADER
    elif loader is not PACKAGE_LOADER and not (
        isinstance(loader, jinja2.ChoiceLoader) and PACKAGE_LOADER in loader.loaders
    ):
        environment.loader = jinja2.ChoiceLoader([loader, PACKAGE_LOADER])
    return environment


def environment_for_file(path: str | os.PathLike[str]) -> jinja2.Environment:
    """The default environment for a template file: loader rooted at the file's directory."""
    return directory_environment(os.path.dirname(os.path.abspath(path)))
