"""CORS allow-list, request ids, Prometheus metrics, liveness and readiness."""

import re
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from config.settings import Settings
from tests.conftest import ClientFactory


def ask(client: TestClient, text: str = "hello", **extra: object):  # type: ignore[no-untyped-def]
    return client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": text}], **extra})


@pytest.fixture
def cors_client(make_client: ClientFactory, tmp_path: Path) -> TestClient:
    settings = Settings(SAGE_GATEWAY_DATA_DIR=tmp_path, SAGE_GATEWAY_CORS_ORIGINS="https://app.example")
    return make_client(app_settings=settings)


def test_cors_allows_listed_origins_only(cors_client: TestClient) -> None:
    allowed = cors_client.get("/v1/models", headers={"Origin": "https://app.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://app.example"
    assert "x-session-id" in allowed.headers["access-control-expose-headers"].lower()
    other = cors_client.get("/v1/models", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    preflight = cors_client.options(
        "/v1/chat/completions",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 400
    ok = cors_client.options(
        "/v1/chat/completions",
        headers={
            "Origin": "https://app.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
    assert ok.status_code == 200


def test_no_cross_origin_access_by_default(client: TestClient) -> None:
    response = client.get("/v1/models", headers={"Origin": "https://app.example"})
    assert "access-control-allow-origin" not in response.headers


def test_wildcard_origin_with_credentials_is_refused() -> None:
    with pytest.raises(ValidationError, match="cannot be combined with credentials"):
        Settings(SAGE_GATEWAY_CORS_ORIGINS="*", SAGE_GATEWAY_CORS_ALLOW_CREDENTIALS=True)


def test_every_response_has_a_request_id_and_a_valid_one_is_kept(client: TestClient) -> None:
    generated = client.get("/health").headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    assert client.get("/health").headers["x-request-id"] != generated
    mine = uuid.uuid4().hex
    assert client.get("/v1/models", headers={"X-Request-Id": mine}).headers["x-request-id"] == mine
    assert ask(client, "hi").headers["x-request-id"]
    assert client.get("/sessions/nope").headers["x-request-id"]  # errors too
    injected = client.get("/health", headers={"X-Request-Id": "evil\nline"}).headers["x-request-id"]
    assert injected != "evil\nline"


def sample(metrics: str, name: str, **labels: str) -> float:
    """The value of one sample of the Prometheus text exposition (0 when absent)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    pattern = re.escape(name) + (r"\{" + re.escape(wanted) + r"\}" if labels else "") + r" ([0-9.e+-]+)"
    found = re.search(pattern, metrics)
    return float(found.group(1)) if found else 0.0


def test_metrics_count_requests_tokens_and_time_to_first_token(client: TestClient) -> None:
    ask(client, "hello")
    with client.stream(
        "POST", "/v1/chat/completions", json={"messages": [{"role": "user", "content": "hi"}], "stream": True}
    ) as stream:
        list(stream.iter_lines())
    client.get("/sessions/does-not-exist")
    metrics = client.get("/metrics")
    assert metrics.headers["content-type"].startswith("text/plain")
    text = metrics.text
    assert sample(text, "sage_http_requests_total", method="POST", route="/v1/chat/completions", status="200") == 2
    assert sample(text, "sage_http_requests_total", method="GET", route="/sessions/{session_id}", status="404") == 1
    assert sample(text, "sage_tokens_total", direction="prompt") > 0
    assert sample(text, "sage_tokens_total", direction="completion") > 0
    assert sample(text, "sage_time_to_first_token_seconds_count") == 1
    assert sample(text, "sage_turns_total", route="casual") == 2
    assert sample(text, "sage_fallback_turns_total") == 0
    assert "sage_http_request_duration_seconds_bucket" in text
    assert "/sessions/does-not-exist" not in text  # routes are templates: label cardinality stays bounded


def test_liveness_stays_up_when_the_store_fails_but_readiness_does_not(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert client.get("/ready").json()["status"] == "ready"

    async def broken(*_: object, **__: object) -> None:
        raise ConnectionError("store down")

    store = client.app.state.gateway.sessions.store  # type: ignore[attr-defined]
    for method in ("aget", "asearch"):  # the store stops answering, whatever a probe reads
        monkeypatch.setattr(store, method, broken)
    health = client.get("/health")
    assert health.status_code == 200
    assert health.json()["components"]["store"]["status"] == "unavailable"
    ready = client.get("/ready")
    assert ready.status_code == 503
    assert ready.json()["components"]["store"]["status"] == "unavailable"


def test_probes_read_no_session_and_tell_no_totals(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """/health and /ready are anonymous and polled: one cheap read each, never a listing of every key's sessions."""
    assert ask(client).status_code == 200

    async def listing(*_: object, **__: object) -> None:
        raise AssertionError("a probe listed the sessions")

    monkeypatch.setattr(client.app.state.gateway.sessions.store, "asearch", listing)  # type: ignore[attr-defined]
    health = client.get("/health")
    assert health.status_code == 200
    assert set(health.json()) == {"status", "components"}  # no all-tenant session totals
    assert health.json()["components"]["store"] == {"status": "ready"}
    assert client.get("/ready").status_code == 200


def test_readiness_after_a_failed_index_build_names_the_error_class_only(
    make_client: ClientFactory, tmp_path: Path
) -> None:
    from langchain_core.embeddings import DeterministicFakeEmbedding

    from ingest.service import IndexService
    from llm.embeddings import EmbeddingModel
    from tests.fakes import fake_models
    from tests.rag_fixtures import corpus_settings, wait_for_build

    settings = corpus_settings(tmp_path)
    index = IndexService(settings.index(), EmbeddingModel(DeterministicFakeEmbedding(size=8), "fake", 8))
    secret = str(tmp_path / "roots" / "corpus" / "private.md")

    def failing(texts: list[str]) -> object:
        raise OSError(f"cannot read {secret}")

    index.embedder.embed = failing  # type: ignore[assignment]
    client = make_client(fake_models(index=index), settings)
    assert client.post("/admin/index/build", json={"source_dir": "corpus"}).status_code == 202
    assert wait_for_build(client)["job"]["status"] == "failed"
    ready = client.get("/ready")
    assert ready.status_code == 503
    assert ready.json()["components"]["index"] == {"status": "failed", "error": "OSError"}
    assert str(tmp_path) not in ready.text and str(tmp_path) not in client.get("/health").text
