"""`GET /v1/models[/{id}]` with capability metadata, and `POST /v1/embeddings` on the index's embedding model."""

import base64

import numpy as np
import pytest
from fastapi.testclient import TestClient

from ingest.service import IndexService
from llm.embeddings import EmbeddingModel, OnnxSentenceEmbeddings
from tests.conftest import ClientFactory
from tests.fakes import fake_models


@pytest.fixture(scope="module")
def packaged() -> OnnxSentenceEmbeddings:
    return OnnxSentenceEmbeddings.packaged()


@pytest.fixture
def gateway(make_client: ClientFactory, settings, packaged: OnnxSentenceEmbeddings) -> TestClient:  # type: ignore[no-untyped-def]
    index = IndexService(settings.index(), EmbeddingModel(packaged, packaged.name, packaged.dim))
    return make_client(fake_models(index=index, embeddings=packaged))


def test_every_listed_model_can_be_retrieved_with_its_capabilities(gateway: TestClient) -> None:
    listed = gateway.get("/v1/models").json()["data"]
    assert [card["id"] for card in listed] == ["fake-model", "sage-default", "all-MiniLM-L6-v2"]
    for card in listed:
        assert gateway.get(f"/v1/models/{card['id']}").json() == card
    chat, _alias, embedding = listed
    assert chat["capabilities"]["tools"] is True and chat["capabilities"]["vision"] is False
    assert embedding["type"] == "embedding" and embedding["capabilities"]["dimensions"] == 384
    missing = gateway.get("/v1/models/gpt-9")
    assert missing.status_code == 404
    assert missing.json()["error"]["param"] == "model" and missing.json()["error"]["code"] == "model_not_found"


def test_embeddings_as_floats_and_base64_are_the_same_vectors(gateway: TestClient) -> None:
    body = {"model": "all-MiniLM-L6-v2", "input": ["How do I rename a session?", "重命名会话"]}
    floats = gateway.post("/v1/embeddings", json=body).json()
    encoded = gateway.post("/v1/embeddings", json={**body, "encoding_format": "base64"}).json()
    assert [d["index"] for d in floats["data"]] == [0, 1]
    decoded = [np.frombuffer(base64.b64decode(d["embedding"]), dtype="<f4") for d in encoded["data"]]
    for plain, packed in zip(floats["data"], decoded, strict=True):
        assert len(plain["embedding"]) == 384
        assert np.allclose(plain["embedding"], packed)
        assert abs(np.linalg.norm(packed) - 1) < 1e-3
    assert floats["usage"]["prompt_tokens"] > 4 and floats["usage"]["total_tokens"] == floats["usage"]["prompt_tokens"]
    assert floats["model"] == "all-MiniLM-L6-v2"


@pytest.mark.parametrize(
    ("extra", "param"),
    [
        ({"model": "text-embedding-3-small"}, "model"),
        ({"dimensions": 128}, "dimensions"),
        ({"input": [101, 2023]}, "input"),
        ({"input": ""}, "input[0]"),
        ({"input": "word " * 2000}, "input[0]"),
        ({"encoding_format": "int8"}, "encoding_format"),
        ({"frobnicate": True}, "frobnicate"),
    ],
)
def test_embedding_fields_it_cannot_honour_are_refused_by_name(gateway: TestClient, extra: dict, param: str) -> None:  # type: ignore[type-arg]
    response = gateway.post("/v1/embeddings", json={"model": "all-MiniLM-L6-v2", "input": "hello", **extra})
    assert response.status_code in (400, 404), response.text
    assert response.json()["error"]["param"] == param
