"""The local server's gate: which host names it answers to, which browsers may change the
library, and the token.

Modelled on Jupyter's server (``check_host``, ``check_origin``, the token) and the OWASP
guidance on Fetch Metadata:

- **Host.** A request whose ``Host`` is not a loopback name (``localhost``, ``127.0.0.1``,
  ``[::1]``) or a name in ``LITREVIEW_ALLOWED_HOSTS`` is refused: a page on ``rebind.example``
  whose name resolves to 127.0.0.1 (DNS rebinding) cannot read or change the library. Bound to a
  network address, IP literals are accepted too (rebinding needs a name), and the token guards.
- **Cross-site writes.** A state-changing request that a browser sends for another site (its
  ``Sec-Fetch-Site`` is not ``same-origin``/``none``, or its ``Origin`` is another origin) is
  refused. Requests with neither header (curl, httpx, the CLI) are not browsers' and pass.
- **Token.** When set, every write needs ``Authorization: Bearer <token>``; bound to a network
  address, reads too (the UI also sends it as a same-site cookie, for download links). Tokens
  compare as UTF-8 bytes in constant time.

The gate is plain ASGI (no per-request task, no body buffering) and also adds the security
headers to every answer.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from urllib.parse import unquote_to_bytes, urlsplit

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from litreview.config import Settings
from litreview.errors import Forbidden, LitreviewError, Unauthorized

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SAME_ORIGIN_FETCHES = frozenset({"same-origin", "none"})
TOKEN_COOKIE = "litreview_token"
MIN_NETWORK_TOKEN_LENGTH = 16
# Paths that answer without the token even on a network bind (nothing of the library in them).
OPEN_API_PATHS = frozenset({"/api/health"})


def content_security_policy(*, remote_images: bool) -> str:
    """Scripts and styles only from our own files; images from us and data: (remote ones
    only when the user enabled them)."""
    images = "'self' data: https:" if remote_images else "'self' data:"
    return (
        f"default-src 'self'; script-src 'self'; style-src 'self'; img-src {images}; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
        "form-action 'self'"
    )


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address, without port or brackets) is this machine."""
    name = host.lower().rstrip(".")
    if name in LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    address = _ip(name)
    return address is not None and address.is_loopback


def _ip(name: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(name)
    except ValueError:
        return None


def host_name(host: str) -> str:
    """``Host``/netloc without its port and IPv6 brackets, lower case: ``[::1]:8000`` -> ``::1``."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    if host.count(":") == 1:
        host = host.split(":", 1)[0]
    return host.rstrip(".")


@dataclass(frozen=True)
class Gate:
    """The rules of one running server, derived from its settings."""

    allowed_hosts: frozenset[str]
    network: bool
    token: bytes | None

    @classmethod
    def from_settings(cls, settings: Settings) -> Gate:
        token = settings.token.encode("utf-8") if settings.token else None
        return cls(
            allowed_hosts=settings.allowed_hosts,
            network=not is_loopback(host_name(settings.bind_host)),
            token=token,
        )

    def host_allowed(self, host: str) -> bool:
        name = host_name(host)
        if not name:
            return False
        if is_loopback(name) or name in self.allowed_hosts or "*" in self.allowed_hosts:
            return True
        return self.network and _ip(name) is not None

    def refusal(self, method: str, path: str, headers: dict[bytes, bytes]) -> LitreviewError | None:
        """Why this request is refused, or None when it may pass."""
        host = headers.get(b"host", b"").decode("latin-1")
        if not self.host_allowed(host):
            return Forbidden(
                f"this server does not answer to the host name {host!r}; "
                "add it to LITREVIEW_ALLOWED_HOSTS if you mean it",
                where="Host",
            )
        if method not in SAFE_METHODS:
            cross = self._cross_site(host, headers)
            if cross:
                return Forbidden(
                    f"refused a {method} sent by a browser for {cross}", where="Origin"
                )
        if self.token is not None and path.startswith("/api") and path not in OPEN_API_PATHS:
            if method not in SAFE_METHODS:
                if not self._bearer_ok(headers):
                    return self._token_refusal(headers, "for writes")
            elif self.network and not (self._bearer_ok(headers) or self._cookie_ok(headers)):
                return self._token_refusal(headers, "")
        return None

    @staticmethod
    def _token_refusal(headers: dict[bytes, bytes], what: str) -> Unauthorized:
        if b"authorization" in headers:
            return Unauthorized("the token sent is not this server's token", where="Authorization")
        needs = f"this server needs 'Authorization: Bearer <token>' {what}".strip()
        return Unauthorized(needs, where="Authorization")

    def _cross_site(self, host: str, headers: dict[bytes, bytes]) -> str | None:
        site = headers.get(b"sec-fetch-site")
        if site is not None and site.decode("latin-1").lower() not in SAME_ORIGIN_FETCHES:
            return f"another site (Sec-Fetch-Site: {site.decode('latin-1')})"
        origin_header = headers.get(b"origin")
        if origin_header is None:
            return None
        origin = origin_header.decode("latin-1").strip()
        netloc = urlsplit(origin).netloc.lower() if "://" in origin else ""
        if not netloc:
            return f"an opaque origin ({origin!r})"
        if netloc == host.strip().lower() or host_name(netloc) in self.allowed_hosts:
            return None
        return f"another origin ({origin})"

    def _bearer_ok(self, headers: dict[bytes, bytes]) -> bool:
        assert self.token is not None
        given = headers.get(b"authorization", b"")
        return hmac.compare_digest(given, b"Bearer " + self.token)

    def _cookie_ok(self, headers: dict[bytes, bytes]) -> bool:
        assert self.token is not None
        raw = headers.get(b"cookie")
        if raw is None:
            return False
        try:
            cookies = SimpleCookie(raw.decode("latin-1"))
        except CookieError:
            return False
        morsel = cookies.get(TOKEN_COOKIE)
        if morsel is None:
            return False
        # The UI stores the token URI-encoded so that any UTF-8 token survives the cookie.
        return hmac.compare_digest(unquote_to_bytes(morsel.value), self.token)


class GuardMiddleware:
    """Refuses what :class:`Gate` refuses (as the JSON error shape) and adds security headers."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.gate = Gate.from_settings(settings)
        self.headers: list[tuple[bytes, bytes]] = [
            (
                b"content-security-policy",
                content_security_policy(remote_images=settings.remote_images).encode(),
            ),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
            (b"cross-origin-resource-policy", b"same-origin"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _header_map(scope["headers"])
        error = self.gate.refusal(scope["method"], scope["path"], headers)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.headers if k not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        if error is not None:
            response = JSONResponse(error.to_dict(), status_code=error.status)
            await response(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)


def _header_map(raw: Iterable[tuple[bytes, bytes]]) -> dict[bytes, bytes]:
    """Header name (lower case) -> value; a repeated security header keeps its first value."""
    found: dict[bytes, bytes] = {}
    for name, value in raw:
        found.setdefault(name.lower(), value)
    return found
