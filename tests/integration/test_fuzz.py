"""Property-based fuzzing of every route from the OpenAPI schema (schemathesis, valid and invalid inputs).

A real uvicorn server on loopback runs the gateway on a fake chat model, the packaged embedding model, every memory
backend and a small real index. Each generated request must get a non-5xx answer, and a rejected one (4xx) must
leave every stored session (registry record, conversation checkpoint, memory) exactly as it was.
"""

import json
import shutil
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings

from api.app import create_app
from bench.fake_upstream import serving_in_thread
from config.settings import PROJECT_DOCS, Settings
from llm.embeddings import OnnxSentenceEmbeddings
from tests.fakes import fake_chat, fake_models
from tests.rag_fixtures import index_service

ADMIN_KEY = "sk-fuzz-admin"
AUTH = {"Authorization": f"Bearer {ADMIN_KEY}"}
EXAMPLES_PER_OPERATION = 80
REQUIRED_REQUESTS = 2000

schema = schemathesis.openapi.from_dict(create_app(Settings()).openapi())
SENT: dict[str, int] = {"requests": 0, "rejected": 0}
STATUSES: dict[str, dict[int, int]] = {}


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("fuzz")
    corpus = root / "roots" / "corpus"
    corpus.mkdir(parents=True)
    for name in ("sessions.md", "rag-index.md"):
        shutil.copy(PROJECT_DOCS / name, corpus / name)
    app_settings = Settings(
        SAGE_GATEWAY_DATA_DIR=root / "data",
        SAGE_GATEWAY_SESSION_BACKEND="memory",
        SAGE_GATEWAY_API_KEY="sk-fuzz-client",
        SAGE_GATEWAY_ADMIN_KEY=ADMIN_KEY,
        SAGE_GATEWAY_DOCS_ROOTS=str(root / "roots"),
        SAGE_GATEWAY_DEFAULT_DOCS=corpus,
        SAGE_GATEWAY_AUTO_INDEX=False,
    )
    embeddings = OnnxSentenceEmbeddings.packaged()
    models = fake_models(  # every memory backend, selectable per session, on the app's store
        fake_chat("A fuzzed answer.", "Another one."),
        embeddings=embeddings,
        index=index_service(app_settings, embeddings),
    )
    app = create_app(app_settings, models=models)
    with serving_in_thread(app) as base_url:
        httpx.post(f"{base_url}/admin/index/build", json={"source_dir": "corpus"}, headers=AUTH).raise_for_status()
        httpx.post(f"{base_url}/v1/chat/completions", json=_turn("seed"), headers=AUTH).raise_for_status()
        yield {"base_url": base_url, "app": app}


def _turn(session_id: str) -> dict[str, Any]:
    return {"session_id": session_id, "messages": [{"role": "user", "content": "remember that I like tea"}]}


def _latest_checkpoint(saver: Any, thread_id: str) -> str | None:
    found = saver.get_tuple({"configurable": {"thread_id": thread_id}})
    return found.config["configurable"]["checkpoint_id"] if found else None


def stored_state(app: Any) -> str:
    """Everything a request could change about sessions, read straight from the in-memory store and saver."""
    sessions = app.state.gateway.sessions
    store, saver = sessions.store, sessions.checkpointer
    registry = sorted((item.key, item.value) for item in store.search(("sessions",), limit=100_000))
    latest = {key: _latest_checkpoint(saver, key) for key, _ in registry}
    namespaces = [
        namespace
        for prefix in ("memory", "memory-user")
        for namespace in store.list_namespaces(prefix=(prefix,), limit=100_000)
    ]
    items = {namespace: store.search(namespace, limit=100_000) for namespace in namespaces}
    # InMemoryStore makes an empty namespace on a read of a missing one: not data, so not compared
    memory = sorted(
        (namespace, sorted((item.key, str(item.updated_at)) for item in found))
        for namespace, found in items.items()
        if found
    )
    return json.dumps([registry, latest, sorted(saver.storage), memory], sort_keys=True, default=str)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],
    database=None,
)
def test_no_input_causes_a_5xx_or_a_change_when_rejected(case: schemathesis.Case, gateway: dict[str, Any]) -> None:
    before = stored_state(gateway["app"])
    response = case.call(base_url=gateway["base_url"], headers=AUTH, timeout=60)
    SENT["requests"] += 1
    key = f"{case.method.upper()} {case.path}"
    STATUSES.setdefault(key, {}).setdefault(response.status_code, 0)
    STATUSES[key][response.status_code] += 1
    assert response.status_code < 500, f"{key} -> {response.status_code}: {response.text[:500]}"
    if 400 <= response.status_code < 500:
        SENT["rejected"] += 1
        assert stored_state(gateway["app"]) == before, f"{key} was rejected ({response.status_code}) but changed data"
        body = response.json()
        if case.path.startswith("/v1/messages"):  # Anthropic's error shape
            assert body["type"] == "error" and set(body["error"]) == {"type", "message"}
        else:
            assert set(body["error"]) == {"message", "type", "param", "code"}


def test_fuzzing_sent_enough_requests(report_figure) -> None:  # type: ignore[no-untyped-def]
    """Runs after the fuzzing above: it must have sent at least REQUIRED_REQUESTS requests."""
    declared = {op: codes for op, codes in STATUSES.items() if set(codes) != {405}}
    undeclared = sum(sum(codes.values()) for op, codes in STATUSES.items() if op not in declared)
    summary = "; ".join(f"{op}: {dict(sorted(codes.items()))}" for op, codes in sorted(declared.items()))
    report_figure(
        f"fuzzing: {SENT['requests']} requests, {SENT['rejected']} rejected (4xx, none changed stored data), 0 5xx; "
        f"{undeclared} to undeclared methods (all 405); by operation and status: {summary}"
    )
    assert SENT["requests"] >= REQUIRED_REQUESTS
