"""Property-based tests of the whole API from its own OpenAPI document (schemathesis).

Every operation gets generated requests (valid and invalid); none may answer 5xx, every answer
must match the documented status codes, content types and schemas, a request of the schema's
shape is taken and one outside it refused (but for the known gaps below), and a method the path
does not have answers 405 with every method it has in ``Allow``. The arXiv import is
left out: it would call arXiv (tests never touch the network; it has its own tests).

The app is built when this module is collected (schemathesis' lazy ``from_fixture`` loader does
not work with this pytest), over a SQLite file in a temporary folder removed at the end.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from litreview.app import create_app
from litreview.config import Settings, sqlite_url

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
# The BibTeX import takes the file as its body; send generated text as-is.
schemathesis.serializer.alias("application/x-bibtex", "text/plain")
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
# KNOWN GAPS: operations with rules the schema does not state (yet), so that a request of the
# documented shape may be refused (422 with its reason) or one outside it taken. There the two
# data checks are left out; every other check holds. Named so that fixing one shows here.
NOT_IN_THE_SCHEMA = {
    "POST /api/import/bibtex": "an uploaded file must be BibTeX text",
    "POST /api/import/table": "an uploaded table needs a title column",
    "POST /api/columns": "options and bounds depend on the column's type",
    "PATCH /api/columns/{column_id}": "bounds depend on the column's type",
}
DATA_CHECKS = (positive_data_acceptance, negative_data_rejection)
stated = schema.exclude(name=list(NOT_IN_THE_SCHEMA))
unstated = schema.include(name=list(NOT_IN_THE_SCHEMA))


@pytest.fixture(scope="module", autouse=True)
def _cleanup() -> Iterator[None]:
    yield
    _APP.state.engine.dispose()
    shutil.rmtree(_FOLDER, ignore_errors=True)


BOUNDED = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)


@stated.parametrize()
@BOUNDED
def test_api_answers_by_its_schema(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=CHECKS)


@unstated.parametrize()
@BOUNDED
def test_api_answers_by_its_schema_but_for_rules_it_does_not_state(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=[c for c in CHECKS if c not in DATA_CHECKS])
