"""`GET /v1/models[/{id}]` with capability metadata, and `POST /v1/embeddings` on the index's embedding model.

The field contract runs on `DeterministicFakeEmbedding`; what needs the real tokenizer (token counts, a text longer
than the model reads, the model's context length) runs on the packaged all-MiniLM-L6-v2."""

import asyncio
import base64
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import openai
import pytest
from fastapi.testclient import TestClient
from langchain_core.embeddings import DeterministicFakeEmbedding
from openai.types import Model
from openai.types.embedding_create_params import EmbeddingCreateParams

from api.protocols import openai_embeddings
from api.protocols.openai_embeddings import MAX_INPUT_CHARS, MAX_INPUTS, EmbeddingRequest
from config.settings import Settings
from ingest.index import VectorEmbedder
from ingest.service import IndexService
from llm.embeddings import MAX_TOKENS, EmbeddingModel, OnnxSentenceEmbeddings
from tests.conftest import ClientFactory
from tests.fakes import fake_models

FAKE_EMBEDDING, FAKE_DIM = "fake-embedding", 16


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """No index build at start: the embedding calls a test sees are its own."""
    return Settings(
        SAGE_GATEWAY_DATA_DIR=tmp_path, SAGE_GATEWAY_SESSION_BACKEND="sqlite", SAGE_GATEWAY_AUTO_INDEX=False
    )


@pytest.fixture(scope="module")
def packaged() -> OnnxSentenceEmbeddings:
    return OnnxSentenceEmbeddings.packaged()


@pytest.fixture
def gateway(make_client: ClientFactory, settings: Settings, packaged: OnnxSentenceEmbeddings) -> TestClient:
    index = IndexService(settings.index(), EmbeddingModel(packaged, packaged.name, packaged.dim))
    return make_client(fake_models(index=index, embeddings=packaged))


def fake_index(settings: Settings) -> IndexService:
    fake = DeterministicFakeEmbedding(size=FAKE_DIM)
    return IndexService(settings.index(), EmbeddingModel(fake, FAKE_EMBEDDING, FAKE_DIM))


@pytest.fixture
def faked(make_client: ClientFactory, settings: Settings) -> TestClient:
    index = fake_index(settings)
    return make_client(fake_models(index=index, embeddings=index.embeddings))


def embed(client: TestClient, **fields: Any):  # type: ignore[no-untyped-def]
    return client.post("/v1/embeddings", json={"model": FAKE_EMBEDDING, "input": "hello", **fields})


def test_every_listed_model_can_be_retrieved_with_its_capabilities(gateway: TestClient) -> None:
    listed = gateway.get("/v1/models").json()["data"]
    assert [card["id"] for card in listed] == ["fake-model", "sage-default", "all-MiniLM-L6-v2"]
    for card in listed:
        assert gateway.get(f"/v1/models/{card['id']}").json() == card
    chat, _alias, embedding = listed
    assert chat["type"] == "chat" and chat["context_length"] == 4096
    assert chat["capabilities"]["tools"] is True and chat["capabilities"]["vision"] is False
    assert embedding["type"] == "embedding" and embedding["capabilities"]["dimensions"] == 384
    assert embedding["context_length"] == MAX_TOKENS
    missing = gateway.get("/v1/models/gpt-9")
    assert missing.status_code == 404
    assert missing.json()["error"] == {
        "message": "model 'gpt-9' is not served here; see GET /v1/models",
        "type": "invalid_request_error",
        "param": "model",
        "code": "model_not_found",
    }


def test_every_card_parses_as_the_sdks_model_with_its_extra_fields(gateway: TestClient) -> None:
    for card in gateway.get("/v1/models").json()["data"]:
        model = Model.model_validate(card)
        assert model.id == card["id"] and model.object == "model" and model.owned_by == "sage"
        assert model.model_extra is not None and set(model.model_extra) == {"type", "context_length", "capabilities"}


def test_an_id_with_a_slash_is_retrieved_whole(make_client: ClientFactory, settings: Settings) -> None:
    client = make_client(replace(fake_models(index=fake_index(settings)), model_name="org/model-7b"))
    assert client.get("/v1/models/org/model-7b").json()["id"] == "org/model-7b"


def test_the_service_map_lists_the_model_and_embeddings_routes(client: TestClient) -> None:
    endpoints = client.get("/").json()["endpoints"]
    assert endpoints["models"] == "/v1/models" and endpoints["model"] == "/v1/models/{model_id}"
    assert endpoints["embeddings"] == "/v1/embeddings"


def test_without_an_index_only_the_chat_model_is_listed_and_embeddings_are_unavailable(client: TestClient) -> None:
    assert [card["id"] for card in client.get("/v1/models").json()["data"]] == ["fake-model", "sage-default"]
    response = client.post("/v1/embeddings", json={"model": "all-MiniLM-L6-v2", "input": "hello"})
    assert response.status_code == 503 and response.json()["error"]["code"] == "index_unavailable"


def test_embeddings_as_floats_and_base64_are_the_same_vectors(gateway: TestClient) -> None:
    body = {"model": "all-MiniLM-L6-v2", "input": ["How do I rename a session?", "重命名会话"]}
    floats = gateway.post("/v1/embeddings", json=body).json()
    encoded = gateway.post("/v1/embeddings", json={**body, "encoding_format": "base64"}).json()
    assert [d["index"] for d in floats["data"]] == [0, 1]
    assert {d["object"] for d in floats["data"]} == {"embedding"} and floats["object"] == "list"
    decoded = [np.frombuffer(base64.b64decode(d["embedding"]), dtype="<f4") for d in encoded["data"]]
    for plain, packed in zip(floats["data"], decoded, strict=True):
        assert len(plain["embedding"]) == 384
        assert np.array_equal(np.asarray(plain["embedding"], dtype=np.float32), packed)  # the same float32 values
        assert abs(np.linalg.norm(packed) - 1) < 1e-3
    assert floats["model"] == encoded["model"] == "all-MiniLM-L6-v2"
    assert floats["usage"] == encoded["usage"]


def test_usage_counts_the_embedding_models_own_tokens(gateway: TestClient, packaged: OnnxSentenceEmbeddings) -> None:
    texts = ["hello", "How do I rename a session?"]
    usage = gateway.post("/v1/embeddings", json={"model": "all-MiniLM-L6-v2", "input": texts}).json()["usage"]
    assert usage["prompt_tokens"] == sum(count for count, _cut in packaged.token_counts(texts))
    assert packaged.token_counts(["hello"]) == [(3, False)]  # [CLS] hello [SEP]
    assert usage["total_tokens"] == usage["prompt_tokens"]


def test_a_text_longer_than_the_model_reads_is_refused_not_cut(gateway: TestClient) -> None:
    body = {"model": "all-MiniLM-L6-v2", "input": ["short", "word " * 2000]}
    response = gateway.post("/v1/embeddings", json=body)
    assert response.status_code == 400 and response.json()["error"]["param"] == "input[1]"


def test_a_model_without_a_tokenizer_here_gets_an_estimated_count(faked: TestClient) -> None:
    body = embed(faked, input=["a" * 40, "b"], dimensions=FAKE_DIM, user="user-42").json()
    assert [len(d["embedding"]) for d in body["data"]] == [FAKE_DIM, FAKE_DIM]
    assert body["usage"] == {"prompt_tokens": 11, "total_tokens": 11}
    assert body["model"] == FAKE_EMBEDDING


def test_the_vectors_are_computed_off_the_event_loop(make_client: ClientFactory, settings: Settings) -> None:
    index = fake_index(settings)
    inner, on_loop = index.embedder.embed, []

    def watched(texts: list[str]) -> np.ndarray:
        try:
            asyncio.get_running_loop()
            on_loop.append(True)
        except RuntimeError:
            on_loop.append(False)
        return inner(texts)

    index.embedder = VectorEmbedder(FAKE_EMBEDDING, FAKE_DIM, watched)
    assert embed(make_client(fake_models(index=index))).status_code == 200
    assert on_loop == [False]


def test_every_field_of_the_sdks_embedding_params_is_a_declared_field() -> None:
    assert set(EmbeddingCreateParams.__annotations__) <= set(EmbeddingRequest.model_fields)


@pytest.mark.parametrize(
    ("fields", "param"),
    [
        ({"model": "text-embedding-3-small"}, "model"),
        ({"model": "sage-default"}, "model"),
        ({"dimensions": 8}, "dimensions"),
        ({"dimensions": 0}, "dimensions"),
        ({"input": [101, 2023]}, "input"),
        ({"input": [[101, 2023]]}, "input"),
        ({"input": 123}, "input"),
        ({"input": ["a", 1]}, "input"),
        ({"input": ["a", None]}, "input"),
        ({"input": []}, "input"),
        ({"input": ""}, "input[0]"),
        ({"input": ["a", ""]}, "input[1]"),
        ({"input": ["a"] * (MAX_INPUTS + 1)}, "input"),
        ({"input": ["a", "x" * (MAX_INPUT_CHARS + 1)]}, "input[1]"),
        ({"encoding_format": "int8"}, "encoding_format"),
        ({"user": 5}, "user"),
        ({"frobnicate": True}, "frobnicate"),
    ],
)
def test_embedding_fields_it_cannot_honour_are_refused_by_name(faked: TestClient, fields: dict, param: str) -> None:  # type: ignore[type-arg]
    response = embed(faked, **fields)
    assert response.status_code == (404 if param == "model" and "model" in fields else 400), response.text
    assert response.json()["error"]["param"] == param
    assert response.json()["error"]["type"] == "invalid_request_error"


def test_token_ids_are_refused_with_what_to_send_instead(faked: TestClient) -> None:
    error = embed(faked, input=[[101, 2023]]).json()["error"]
    assert error["code"] == "unsupported_input" and "check_embedding_ctx_length=False" in error["message"]


def test_a_request_over_the_token_bound_is_413(faked: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(openai_embeddings, "MAX_REQUEST_TOKENS", 10)
    response = embed(faked, input=["a" * 40, "b" * 40])
    assert response.status_code == 413
    assert response.json()["error"]["param"] == "input" and response.json()["error"]["code"] == "input_too_large"


def test_models_and_embeddings_need_a_client_key(make_client: ClientFactory, tmp_path: Path) -> None:
    keyed = Settings(SAGE_GATEWAY_DATA_DIR=tmp_path, SAGE_GATEWAY_API_KEY="sk-client", SAGE_GATEWAY_AUTO_INDEX=False)
    client = make_client(fake_models(index=fake_index(keyed)), app_settings=keyed)
    for method, path in [("get", "/v1/models"), ("get", "/v1/models/sage-default"), ("post", "/v1/embeddings")]:
        assert client.request(method, path, json={}).status_code == 401
    key = {"Authorization": "Bearer sk-client"}
    assert client.get("/v1/models/sage-default", headers=key).status_code == 200
    body = {"model": FAKE_EMBEDDING, "input": "hello"}
    assert client.post("/v1/embeddings", json=body, headers=key).status_code == 200


def test_the_sdk_reads_vectors_and_errors(faked: TestClient) -> None:
    sdk = openai.OpenAI(base_url="http://testserver/v1", api_key="unused", http_client=faked, max_retries=0)
    floats = sdk.embeddings.create(model=FAKE_EMBEDDING, input=["a", "b"], encoding_format="float")
    decoded = sdk.embeddings.create(model=FAKE_EMBEDDING, input=["a", "b"])  # asks for base64 and decodes it
    assert [item.embedding for item in decoded.data] == [item.embedding for item in floats.data]
    assert sdk.models.retrieve(FAKE_EMBEDDING).model_extra == {
        "type": "embedding",
        "context_length": None,
        "capabilities": {"embeddings": True, "dimensions": FAKE_DIM},
    }
    with pytest.raises(openai.NotFoundError) as missing:
        sdk.models.retrieve("gpt-9")
    assert missing.value.code == "model_not_found" and missing.value.param == "model"
    with pytest.raises(openai.BadRequestError) as refused:
        sdk.embeddings.create(model=FAKE_EMBEDDING, input="hello", dimensions=8)
    assert refused.value.param == "dimensions"
