"""Property-based tests of the whole API from its own OpenAPI document (schemathesis).

Every operation gets generated requests (valid and invalid); none may answer 5xx, every answer
must match the documented status codes, content types and schemas, a request of the schema's
shape is taken and one outside it refused (but for the known gaps below), and a method the path
does not have answers 405 with every method it has in ``Allow``. The arXiv import is
left out: it would call arXiv (tests never touch the network; it has its own tests).

The app is built when this module is collected (schemathesis' lazy ``from_fixture`` loader does
not work with this pytest), over a SQLite file in a temporary folder removed at the end. Every
request goes through one schemathesis ASGI client (a ``requests`` session), as ``case.call``
documents for a session; without it each call builds a client of its own, and ``requests``
reads the proxy variables of the environment for every request (irrelevant in-process).
"""

from __future__ import annotations

import random
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    content_type_conformance,
    ensure_resource_availability,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
    use_after_free,
)

from litreview.app import create_app
from litreview.config import Settings, sqlite_url
from litreview.errors import InvalidInput
from litreview.formulas import parse_formula

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    unsupported_method,
    allow_header_conformance,
]
_FOLDER = Path(tempfile.mkdtemp(prefix="litreview-schemathesis-"))
# schemathesis calls the app as "testserver": allow that name, as a user would their own.
_APP = create_app(
    Settings(
        database_url=sqlite_url(_FOLDER / "lib.db"),
        arxiv_delay=0,
        allowed_hosts=frozenset({"testserver"}),
    )
)
schema = schemathesis.openapi.from_asgi("/openapi.json", _APP).exclude(
    path_regex="^/api/import/arxiv"
)
_CLIENT = asgi.get_client(_APP)
_CLIENT.trust_env = False  # no proxies, .netrc or CA bundles from the environment


@schema.hook("after_call")
def forget_cookies(ctx: Any, case: schemathesis.Case, response: Any) -> None:
    """Each request starts without cookies, as with a client of its own."""
    _CLIENT.cookies.clear()


def _formula(rng: random.Random, leaves: int) -> str:
    """A formula over numbers of up to ``leaves`` numbers: an operation, brackets or max()."""
    if leaves <= 1 or rng.random() < 0.3:
        return str(rng.randint(-1000, 1000))
    shape = rng.choice(["operation", "operation", "brackets", "max"])
    if shape == "brackets":
        return f"({_formula(rng, leaves)})"
    if shape == "max":
        args = [_formula(rng, leaves // 3 or 1) for _ in range(rng.randint(1, 3))]
        return f"max({', '.join(args)})"
    left = rng.randint(1, leaves - 1)
    sign = rng.choice(["+", "-", "*", "/"])
    return f"{_formula(rng, left)} {sign} {_formula(rng, leaves - left)}"


def formulas() -> st.SearchStrategy[str]:
    """Formulas as the schema's ``format: formula`` describes them (over numbers: a name is
    one of the library's numeric columns, so one that is not there is a 409 by the schema):
    40 made once by the grammar above (nested brackets, max(), the four operators;
    test_formulas.py tests the grammar itself) and formulas of the lengths at the schema's
    bounds (1, 2, 999, 1,000 and 1,001 characters). Not a Hypothesis grammar: the coverage
    phase asks the format for a string of each of those lengths, each time in a search of its
    own, and a grammar that cannot make one runs the search out (1,000 draws: 6 s of CPU at
    collection)."""
    rng = random.Random(13)
    long_sum = "100000000000000 + " * 54  # 972 characters, 163 parts; a number makes the rest
    bounds = ["7", "12", *(long_sum + "1" * (n - len(long_sum)) for n in (999, 1000, 1001))]
    pool = dict.fromkeys(bounds)  # in the order made
    while len(pool) < 45:
        pool.setdefault(_formula(rng, rng.randint(1, 8)))
    return st.sampled_from(list(pool))


# A grammar no pattern states: schemathesis documents custom formats for this.
schemathesis.openapi.format("formula", formulas())


@schema.hook("filter_body")
def formulas_only(ctx: Any, body: Any) -> bool:
    """A column's formula is of the schema's ``format: formula``; draws from elsewhere (the
    schema's constants, the coverage phase's strings) that are not formulas are left out."""
    formula = body.get("formula") if isinstance(body, dict) else None
    if not isinstance(formula, str) or not formula.strip():
        return True
    try:
        parse_formula(formula)
    except InvalidInput:
        return False
    return True


@pytest.fixture(scope="module", autouse=True)
def _cleanup() -> Iterator[None]:
    with _CLIENT:
        yield
    _APP.state.engine.dispose()
    shutil.rmtree(_FOLDER, ignore_errors=True)


# What each operation is sent: the coverage phase's cases, drawn at collection (3,556 over the
# 69 operations: each parameter and body property at its bounds, of each wrong type, missing,
# null, an unexpected method, a wrong content type...), then 5 random requests. 15 random
# ones cost 15 s more of CPU (~26 ms to draw one) and answered no status the 5 did not but a
# body that is not JSON (400), which test_api_conformance.py sends to every route taking JSON.
BOUNDED = settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)


@schema.parametrize()
@BOUNDED
def test_api_answers_by_its_schema(case: schemathesis.Case) -> None:
    case.call_and_validate(session=_CLIENT, checks=CHECKS)


class Workflow(schema.as_state_machine()):  # type: ignore[misc]
    """The stateful phase: sequences that follow the OpenAPI links from a create to the reads,
    edits and deletes of what it made. Besides the checks above: what a create answers can be
    read, and what a delete removed is gone (404) for every route that names it."""

    def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
        return {"session": _CLIENT}

    def validate_response(self, response: Any, case: schemathesis.Case, **kwargs: Any) -> None:
        case.validate_response(
            response,
            checks=[*CHECKS, ensure_resource_availability, use_after_free],
            transport_kwargs=kwargs,
        )


TestWorkflow = Workflow.TestCase
TestWorkflow.settings = settings(
    max_examples=20,
    stateful_step_count=6,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    # Scenarios share one library, so a replay meets other rows: no shrinking (reported as is).
    phases=[Phase.explicit, Phase.generate],
)
