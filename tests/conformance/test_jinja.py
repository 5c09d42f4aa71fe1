"""Our full render is Jinja's own, on the generated templates (macros compiled in place,
includes, imports...), given this engine's one difference: ``None`` and ``False`` render as
nothing. No client here: ``test_conformance`` checks the diffs against this same render."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import assume, given
from hypothesis import strategies as st

from tests.conformance.checker import ENVIRONMENT, compile_template
from tests.conformance.settings import conformance
from tests.conformance.strategies import SCHEMA, templates

JINJA = ENVIRONMENT.overlay(finalize=lambda value: "" if value is None or value is False else value)

# Where the difference shows even with `finalize`: a constant Jinja folds before finalizing
# (`{{ none }}`), and blocks Jinja renders itself here too, without it (`filter`, `with`).
_NOT_COMPARABLE = re.compile(r"\{\{-? (none|false) \}\}|\{% (filter|with) ")


@conformance(ci_examples=200, long_share=0.2)
@given(source=templates(), assigns=st.fixed_dictionaries(SCHEMA))
def test_full_render_is_jinjas(source: str, assigns: dict[str, Any]) -> None:
    assume(not _NOT_COMPARABLE.search(source))
    assert compile_template(source).render_html(assigns) == JINJA.from_string(source).render(
        assigns
    )
