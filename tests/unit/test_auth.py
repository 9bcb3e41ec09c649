"""Every auth rule: client keys, admin keys, open loopback mode, cross-key session isolation, the bind refusal."""

import hmac
import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api import auth
from api.cli import is_loopback, main, refuse_open_bind
from config.settings import Settings
from tests.conftest import ClientFactory

CLIENT_A, CLIENT_B, ADMIN = "sk-client-a", "sk-client-b", "sk-admin"


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def keyed(make_client: ClientFactory, tmp_path: Path) -> TestClient:
    settings = Settings(
        SAGE_GATEWAY_DATA_DIR=tmp_path,
        SAGE_GATEWAY_API_KEY=f"{CLIENT_A},{CLIENT_B}",
        SAGE_GATEWAY_ADMIN_KEY=ADMIN,
    )
    return make_client(app_settings=settings)


def chat(client: TestClient, key: str, text: str, session_id: str | None = None):  # type: ignore[no-untyped-def]
    body: dict[str, object] = {"model": "sage-default", "messages": [{"role": "user", "content": text}]}
    if session_id:
        body["session_id"] = session_id
    return client.post("/v1/chat/completions", json=body, headers=bearer(key))


CLIENT_ROUTES = [
    ("get", "/v1/models"),
    ("get", "/sessions"),
    ("post", "/sessions"),
    ("get", "/memory/config"),
    ("get", "/memory/stats"),
    ("post", "/v1/chat/completions"),
    ("post", "/v1/workflows/generate"),
]
ADMIN_ROUTES = [
    ("get", "/admin/index/status"),
    ("post", "/sessions/cleanup?max_age_minutes=60"),
    ("get", "/metrics"),
]


@pytest.mark.parametrize(("method", "path"), CLIENT_ROUTES + ADMIN_ROUTES)
@pytest.mark.parametrize("presented", [None, "Bearer wrong-key", "Basic c2s6eA==", "Bearer ", CLIENT_A + "x"])
def test_missing_or_wrong_key_is_401_everywhere(
    keyed: TestClient, method: str, path: str, presented: str | None
) -> None:
    headers = {"Authorization": presented} if presented else {}
    response = keyed.request(method, path, headers=headers, json={})
    assert response.status_code == 401, response.text
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json()["error"]["code"] == "invalid_api_key"


@pytest.mark.parametrize(("method", "path"), [("get", "/v1/models"), ("get", "/sessions"), ("get", "/memory/stats")])
@pytest.mark.parametrize("key", [CLIENT_A, CLIENT_B, ADMIN])
def test_client_routes_accept_client_and_admin_keys(keyed: TestClient, method: str, path: str, key: str) -> None:
    assert keyed.request(method, path, headers=bearer(key)).status_code == 200


@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES)
def test_admin_routes_refuse_client_keys_and_accept_the_admin_key(keyed: TestClient, method: str, path: str) -> None:
    refused = keyed.request(method, path, headers=bearer(CLIENT_A))
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "admin_key_required"
    assert keyed.request(method, path, headers=bearer(ADMIN)).status_code in (200, 503)  # 503: no index configured


def test_without_an_admin_key_admin_routes_stay_closed(make_client: ClientFactory, tmp_path: Path) -> None:
    client = make_client(app_settings=Settings(SAGE_GATEWAY_DATA_DIR=tmp_path, SAGE_GATEWAY_API_KEY=CLIENT_A))
    response = client.get("/metrics", headers=bearer(CLIENT_A))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "admin_disabled"


@pytest.mark.parametrize("path", ["/health", "/ready", "/"])
def test_probes_and_the_root_need_no_key(keyed: TestClient, path: str) -> None:
    assert keyed.get(path).status_code == 200


def test_without_keys_everything_is_open_and_the_start_says_so(
    make_client: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        client = make_client()
    assert "no API key configured" in caplog.text
    for method, path in [("get", "/sessions"), ("get", "/metrics"), ("get", "/admin/index/status")]:
        assert client.request(method, path).status_code in (200, 503), path


def test_sessions_belong_to_the_key_that_created_them(keyed: TestClient) -> None:
    assert chat(keyed, CLIENT_A, "my secret plan", "mine").status_code == 200
    assert keyed.post("/sessions", json={"session_id": "made-by-a"}, headers=bearer(CLIENT_A)).status_code == 200
    before = keyed.get("/sessions/mine", headers=bearer(CLIENT_A)).json()

    for method, path, body in [
        ("get", "/sessions/mine", None),
        ("delete", "/sessions/mine", None),
        ("post", "/sessions/mine/clear", None),
        ("patch", "/sessions/mine/title", {"title": "stolen"}),
        ("get", "/sessions/mine/memory", None),
        ("get", "/sessions/made-by-a", None),
        ("post", "/v1/workflows/generate", {"prompt": "build a rag pipeline", "session_id": "mine"}),
    ]:
        response = keyed.request(method, path, json=body, headers=bearer(CLIENT_B))
        assert response.status_code == 404, (method, path, response.text)
        assert response.json()["error"]["code"] == "session_not_found"
    assert chat(keyed, CLIENT_B, "let me in", "mine").status_code == 404
    assert keyed.get("/sessions", headers=bearer(CLIENT_B)).json()["sessions"] == []
    assert keyed.get("/memory/stats", headers=bearer(CLIENT_B)).json()["sessions"] == {}

    assert keyed.get("/sessions/mine", headers=bearer(CLIENT_A)).json() == before
    listed = {s["id"] for s in keyed.get("/sessions", headers=bearer(CLIENT_A)).json()["sessions"]}
    assert listed == {"mine", "made-by-a"}
    assert chat(keyed, CLIENT_A, "and again", "mine").status_code == 200


def test_keys_are_compared_in_constant_time_without_early_exit(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    original = hmac.compare_digest

    def recording(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return original(a, b)

    monkeypatch.setattr(auth.hmac, "compare_digest", recording)
    ring = auth.KeyRing([auth.SecretStr("first"), auth.SecretStr("second"), auth.SecretStr("third")], [])
    assert ring.is_client("first")
    assert len(calls) == 3  # the match on the first key did not stop the loop
    assert not ring.is_client("fourth")


def test_owner_is_a_fingerprint_never_the_key() -> None:
    fingerprint = auth.key_fingerprint(CLIENT_A)
    assert CLIENT_A not in fingerprint
    assert fingerprint == auth.key_fingerprint(CLIENT_A) != auth.key_fingerprint(CLIENT_B)


@pytest.mark.parametrize(
    ("host", "keys", "insecure", "refused"),
    [
        ("0.0.0.0", {}, False, True),
        ("192.168.1.10", {}, False, True),
        ("0.0.0.0", {}, True, False),
        ("0.0.0.0", {"SAGE_GATEWAY_API_KEY": "k"}, False, False),
        ("127.0.0.1", {}, False, False),
        ("::1", {}, False, False),
        ("localhost", {}, False, False),
    ],
)
def test_open_bind_without_keys_is_refused_unless_insecure(
    host: str, keys: dict[str, str], insecure: bool, refused: bool
) -> None:
    settings = Settings(SAGE_GATEWAY_HOST=host, SAGE_GATEWAY_INSECURE=insecure, **keys)
    if refused:
        with pytest.raises(SystemExit, match="without an API key"):
            refuse_open_bind(settings)
    else:
        refuse_open_bind(settings)
    assert is_loopback(host) == (host in ("127.0.0.1", "::1", "localhost"))


def test_the_cli_refuses_before_serving(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SAGE_GATEWAY_API_KEY", raising=False)
    monkeypatch.delenv("SAGE_GATEWAY_ADMIN_KEY", raising=False)
    served: list[object] = []
    monkeypatch.setattr("api.cli.serve", served.append)
    with pytest.raises(SystemExit, match="--insecure"):
        main(["--host", "0.0.0.0"])
    assert served == []


def keyed_with_failure_limit(make_client: ClientFactory, tmp_path: Path, failures: int) -> TestClient:
    settings = Settings(
        SAGE_GATEWAY_DATA_DIR=tmp_path,
        SAGE_GATEWAY_API_KEY=CLIENT_A,
        SAGE_GATEWAY_ADMIN_KEY=ADMIN,
        SAGE_GATEWAY_AUTH_FAILURES_PER_MINUTE=failures,
    )
    return make_client(app_settings=settings)


def test_an_address_that_keeps_failing_gets_429_before_any_key_is_compared(
    make_client: ClientFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = keyed_with_failure_limit(make_client, tmp_path, failures=3)
    attempts = [{"Authorization": "Bearer wrong-1"}, {}, {"Authorization": "Bearer wrong-2"}]
    assert [client.get("/v1/models", headers=h).status_code for h in attempts] == [401, 401, 401]

    compared: list[bytes] = []
    monkeypatch.setattr(auth.hmac, "compare_digest", lambda a, b: compared.append(a) or False)
    for headers in ({"Authorization": "Bearer wrong-3"}, bearer(CLIENT_A), {}):
        refused = client.get("/sessions", headers=headers)
        assert refused.status_code == 429, refused.text
        assert refused.json()["error"] == {
            "message": refused.json()["error"]["message"],
            "type": "rate_limit_error",
            "param": None,
            "code": "too_many_auth_failures",
        }
        assert 1 <= int(refused.headers["Retry-After"]) <= 20  # one failure back every 60/3 s
    assert compared == []  # refused before the key comparison
    assert "wrong-" not in refused.text  # the presented key is never echoed

    monkeypatch.undo()
    elsewhere = TestClient(client.app, client=("192.0.2.7", 40000))  # another address has its own count
    assert elsewhere.get("/v1/models", headers=bearer(CLIENT_A)).status_code == 200
    assert elsewhere.get("/metrics", headers=bearer(CLIENT_A)).status_code == 403  # a valid key is no failure


def test_valid_keys_are_never_counted_as_failures(make_client: ClientFactory, tmp_path: Path) -> None:
    client = keyed_with_failure_limit(make_client, tmp_path, failures=2)
    assert {client.get("/v1/models", headers=bearer(CLIENT_A)).status_code for _ in range(10)} == {200}
    assert client.get("/metrics", headers=bearer(ADMIN)).status_code == 200
    assert [client.get("/v1/models").status_code for _ in range(3)] == [401, 401, 429]


def test_the_failure_limit_can_be_switched_off(make_client: ClientFactory, tmp_path: Path) -> None:
    client = keyed_with_failure_limit(make_client, tmp_path, failures=0)
    assert {client.get("/v1/models").status_code for _ in range(30)} == {401}
