"""`GET /v1/models[/{id}]` and `POST /v1/embeddings` through the official `openai` client, against a real gateway on
loopback embedding with the packaged all-MiniLM-L6-v2 (the chat backend is the fake upstream; no turn runs here).
"""

import base64
from collections.abc import Iterator

import numpy as np
import openai
import pytest
from langchain_openai import OpenAIEmbeddings

from bench.fake_upstream import running_fake_upstream
from tests.integration.servers import running_gateway

EMBEDDING_MODEL = "all-MiniLM-L6-v2"
TEXTS = ["How do I rename a session?", "The gateway stores sessions in SQLite.", "重命名会话"]


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_fake_upstream() as (upstream_url, _behaviour):
        env = {"SAGE_CHAT_BASE_URL": upstream_url, "SAGE_CHAT_MODEL": "fake-upstream", "SAGE_CHAT_MAX_RETRIES": "0"}
        with running_gateway(env, tmp_path_factory.mktemp("gateway")) as base_url:
            yield base_url


@pytest.fixture
def client(gateway: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{gateway}/v1", api_key="unused", max_retries=0)


def test_models_retrieve_every_listed_model(client: openai.OpenAI) -> None:
    listed = client.models.list().data
    assert [model.id for model in listed] == ["fake-upstream", "sage-default", EMBEDDING_MODEL]
    for model in listed:
        assert client.models.retrieve(model.id).model_dump() == model.model_dump()
    chat, _alias, embedding = (model.model_extra or {} for model in listed)
    assert chat["type"] == "chat" and set(chat["capabilities"]) >= {"tools", "json_schema", "vision"}
    assert embedding["type"] == "embedding" and embedding["capabilities"]["dimensions"] == 384
    assert embedding["context_length"] == 256


def test_an_unknown_model_is_openais_404(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as missing:
        client.models.retrieve("gpt-9")
    assert missing.value.body == {
        "message": "model 'gpt-9' is not served here; see GET /v1/models",
        "type": "invalid_request_error",
        "param": "model",
        "code": "model_not_found",
    }
    with pytest.raises(openai.NotFoundError) as wrong_model:
        client.embeddings.create(model="text-embedding-3-small", input="hello")
    assert wrong_model.value.param == "model"


def test_embeddings_as_floats_as_base64_and_as_the_sdk_decodes_them_are_the_same(client: openai.OpenAI) -> None:
    floats = client.embeddings.create(model=EMBEDDING_MODEL, input=TEXTS, encoding_format="float")
    packed = client.embeddings.create(model=EMBEDDING_MODEL, input=TEXTS, encoding_format="base64")
    decoded = client.embeddings.create(model=EMBEDDING_MODEL, input=TEXTS)  # the SDK asks for base64, decodes it
    plain = np.asarray([item.embedding for item in floats.data], dtype=np.float32)
    assert plain.shape == (3, 384) and [item.index for item in floats.data] == [0, 1, 2]
    raw = [item.embedding for item in packed.data]
    assert all(isinstance(vector, str) for vector in raw)  # asked for explicitly, so left encoded
    unpacked = np.asarray([np.frombuffer(base64.b64decode(str(vector)), dtype="<f4") for vector in raw])
    assert np.array_equal(plain, unpacked)
    assert np.array_equal(plain, np.asarray([item.embedding for item in decoded.data], dtype=np.float32))
    assert np.allclose(np.linalg.norm(plain, axis=1), 1, atol=1e-3)
    assert floats.model == packed.model == decoded.model == EMBEDDING_MODEL
    assert floats.usage.prompt_tokens == floats.usage.total_tokens > len(TEXTS) * 2  # [CLS] and [SEP] at least
    assert floats.usage == packed.usage == decoded.usage


def test_fields_it_cannot_honour_are_typed_sdk_errors(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as shortened:
        client.embeddings.create(model=EMBEDDING_MODEL, input="hello", dimensions=128)
    assert shortened.value.param == "dimensions"
    with pytest.raises(openai.BadRequestError) as token_ids:
        client.embeddings.create(model=EMBEDDING_MODEL, input=[[101, 7592, 102]])
    assert token_ids.value.param == "input" and token_ids.value.code == "unsupported_input"
    with pytest.raises(openai.BadRequestError) as too_long:
        client.embeddings.create(model=EMBEDDING_MODEL, input=["short", "word " * 2000])
    assert too_long.value.param == "input[1]"


def test_langchains_openai_embeddings_sending_texts_gets_the_same_vectors(client: openai.OpenAI, gateway: str) -> None:
    langchain = OpenAIEmbeddings(
        model=EMBEDDING_MODEL, base_url=f"{gateway}/v1", api_key="unused", check_embedding_ctx_length=False
    )
    expected = [item.embedding for item in client.embeddings.create(model=EMBEDDING_MODEL, input=TEXTS).data]
    assert np.allclose(langchain.embed_documents(TEXTS), expected, atol=1e-6)
