"""One exception tree for litreview; every error knows its HTTP status.

    LitreviewError (500)
    ├── NotFound (404)            an id, key or path that names nothing
    ├── InvalidInput (422)        input that cannot be used (bad id, bad area path, cycle)
    │   ├── ImportFailed (422)    a whole import input is unusable (undecodable file)
    │   └── SearchTooBroad (422)  a search that ran past its time limit ("keep typing")
    ├── Conflict (409)            a stale version, or a unique name already taken
    ├── PayloadTooLarge (413)     an upload over the configured limit
    ├── Unauthorized (401)        a write without the right bearer token
    ├── Forbidden (403)           a foreign Host, a cross-site write, a viewer's write
    ├── TooManyAttempts (429)     sign-in blocked after a run of wrong passwords
    ├── UpstreamError (502)       arXiv (or another remote) failed after retries
    └── Busy (503)                the database stayed locked by another writer (a long import)

The API renders any of them as ``{"error": {"status", "message", ...details}}`` and the CLI as
one red line with a non-zero exit code.
"""

from __future__ import annotations

from typing import Any, ClassVar


class LitreviewError(Exception):
    """Base of every error litreview raises on purpose."""

    status: ClassVar[int] = 500

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        """The JSON body the API answers with."""
        return {"error": {"status": self.status, "message": self.message, **self.details}}


class NotFound(LitreviewError):
    status = 404


class InvalidInput(LitreviewError):
    status = 422


class ImportFailed(InvalidInput):
    status = 422


class SearchTooBroad(InvalidInput):
    status = 422


class ClientGone(LitreviewError):
    """The client disconnected while its request ran (an abandoned search); nobody reads this."""

    status = 499


class Conflict(LitreviewError):
    status = 409


class PayloadTooLarge(LitreviewError):
    status = 413


class Unauthorized(LitreviewError):
    status = 401


class Forbidden(LitreviewError):
    status = 403


class TooManyAttempts(LitreviewError):
    status = 429


class UpstreamError(LitreviewError):
    status = 502


class Busy(LitreviewError):
    status = 503
