"""The gate of the local server: Host names, cross-site writes from browsers, the token."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from litreview.app import create_app
from litreview.config import Settings, load_settings
from tests.conftest import LOCAL_URL

BIBTEX = b"@article{planted, title={Planted}, year={2020}}"


def _library(client: TestClient) -> tuple[int, int]:
    papers = client.get("/api/papers").json()["total"]
    areas = client.get("/api/areas").json()["total"]
    return papers, areas


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Origin": "http://127.0.0.1:9999"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "http://127.0.0.1:8000", "Sec-Fetch-Site": "cross-site"},
    ],
)
def test_writes_a_browser_sends_for_another_site_are_refused(
    client: TestClient, headers: dict[str, str]
) -> None:
    before = _library(client)
    attempts = [
        client.post("/api/areas", json={"name": "Planted"}, headers=headers),
        client.post(
            "/api/import/bibtex",
            content=BIBTEX,
            headers={**headers, "Content-Type": "text/plain"},
        ),
        client.post(
            "/api/import/bibtex",
            files={"file": ("x.bib", BIBTEX, "application/x-bibtex")},
            headers=headers,
        ),
        client.post(
            "/api/import/bibtex",
            data={"file": BIBTEX.decode()},
            headers={**headers},
        ),
    ]
    for response in attempts:
        assert response.status_code == 403, response.text
        error = response.json()["error"]
        assert error["status"] == 403 and "refused" in error["message"]
    assert _library(client) == before


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Origin": "http://127.0.0.1:8000", "Sec-Fetch-Site": "same-origin"},
        {"Sec-Fetch-Site": "none"},
    ],
)
def test_tools_and_the_own_page_still_write(client: TestClient, headers: dict[str, str]) -> None:
    made = client.post("/api/areas", json={"name": "Mine"}, headers=headers)
    assert made.status_code == 201, made.text
    upload = client.post(
        "/api/import/bibtex",
        files={"file": ("x.bib", BIBTEX, "application/x-bibtex")},
        headers=headers,
    )
    assert upload.status_code == 200, upload.text
    assert _library(client) == (1, 1)


def test_cross_site_reads_are_not_refused_but_carry_no_cors(client: TestClient) -> None:
    response = client.get("/api/papers", headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers
    assert response.headers["cross-origin-resource-policy"] == "same-origin"


@pytest.mark.parametrize("host", ["rebind.example", "rebind.example:8000", "testserver", ""])
def test_a_foreign_host_is_refused_for_reads_and_writes(client: TestClient, host: str) -> None:
    for method, path in (("GET", "/api/papers"), ("POST", "/api/areas"), ("GET", "/")):
        response = client.request(method, path, json={"name": "X"}, headers={"Host": host})
        assert response.status_code == 403, (host, method, path)
        assert "host name" in response.json()["error"]["message"]
    assert client.get("/api/areas").json()["total"] == 0


@pytest.mark.parametrize(
    "host", ["127.0.0.1:8000", "localhost:8000", "[::1]:8000", "LOCALHOST", "127.0.0.2"]
)
def test_loopback_hosts_are_answered(client: TestClient, host: str) -> None:
    assert client.get("/api/health", headers={"Host": host}).status_code == 200


def test_configured_hosts_are_answered(settings: Settings) -> None:
    env = {"LITREVIEW_ALLOWED_HOSTS": "Lab.Example, other.example"}
    configured = replace(settings, allowed_hosts=load_settings(env).allowed_hosts)
    app = create_app(configured)
    with TestClient(app, base_url="http://lab.example") as client:
        assert client.get("/api/health").status_code == 200
        made = client.post(
            "/api/areas", json={"name": "A"}, headers={"Origin": "http://lab.example"}
        )
        assert made.status_code == 201
        assert client.get("/", headers={"Host": "third.example"}).status_code == 403
    app.state.engine.dispose()


@pytest.fixture
def network(settings: Settings) -> Iterator[TestClient]:
    """A server bound to all interfaces with a (non-ASCII) token."""
    app = create_app(replace(settings, bind_host="0.0.0.0", token="clé-secrète-0123456789"))
    with TestClient(app, base_url="http://192.0.2.10:8000") as client:
        yield client
    app.state.engine.dispose()


def test_on_a_network_bind_the_token_guards_reads_too(network: TestClient) -> None:
    token = "clé-secrète-0123456789".encode()
    good = {"Authorization": b"Bearer " + token}
    for path in ("/api/papers", "/api/areas", "/api/export?format=bibtex"):
        denied = network.get(path)
        assert denied.status_code == 401, path
        assert network.get(path, headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert network.get(path, headers=good).status_code == 200, path  # type: ignore[arg-type]
    cookie = {"Cookie": "litreview_token=cl%C3%A9-secr%C3%A8te-0123456789"}
    assert network.get("/api/papers", headers=cookie).status_code == 200
    assert network.get("/api/papers", headers={"Cookie": "litreview_token=x"}).status_code == 401
    # a cookie never stands in for the header on a write
    assert network.post("/api/areas", json={"name": "A"}, headers=cookie).status_code == 401
    made = network.post("/api/areas", json={"name": "A"}, headers=good)  # type: ignore[arg-type]
    assert made.status_code == 201
    assert network.get("/api/health").status_code == 200  # says nothing of the library
    assert network.get("/").status_code == 200  # the UI loads, then asks for the token
    assert network.get("/api/papers", headers={"Host": "rebind.example"}).status_code == 403


def test_loopback_reads_need_no_token(settings: Settings) -> None:
    app = create_app(replace(settings, token="0123456789abcdef"))
    with TestClient(app, base_url=LOCAL_URL) as client:
        assert client.get("/api/papers").status_code == 200
        assert client.post("/api/areas", json={"name": "A"}).status_code == 401
    app.state.engine.dispose()


@pytest.mark.parametrize("token", [" ", " padded", "padded "])
def test_blank_or_padded_tokens_are_refused(token: str) -> None:
    with pytest.raises(ValueError, match="LITREVIEW_TOKEN"):
        load_settings({"LITREVIEW_TOKEN": token})


@pytest.mark.parametrize("value", ["-1", "0"])
def test_a_non_positive_upload_limit_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="LITREVIEW_MAX_UPLOAD_BYTES"):
        load_settings({"LITREVIEW_MAX_UPLOAD_BYTES": value})


def test_images_come_only_from_self_and_data_unless_enabled(settings: Settings) -> None:
    app = create_app(settings)
    with TestClient(app, base_url=LOCAL_URL) as client:
        csp = client.get("/").headers["content-security-policy"]
        assert "img-src 'self' data:;" in csp and "https:" not in csp
    app.state.engine.dispose()
    enabled = replace(
        settings, remote_images=load_settings({"LITREVIEW_REMOTE_IMAGES": "1"}).remote_images
    )
    app = create_app(enabled)
    with TestClient(app, base_url=LOCAL_URL) as client:
        assert "img-src 'self' data: https:;" in client.get("/").headers["content-security-policy"]
    app.state.engine.dispose()
