"""The real embedded model: packaged weights, hash pin, GGUF metadata, and one short answer."""

from pathlib import Path

import anthropic
import openai
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from config.settings import Settings
from llm.gguf import is_instruction_tuned, read_gguf_metadata
from llm.local_server import PACKAGED_MODEL_SHA256, ModelIntegrityError, assemble_packaged_model, verified_model_path


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("gateway-data")


def test_packaged_model_is_the_pinned_instruction_tuned_qwen(model_dir: Path) -> None:
    path = assemble_packaged_model(model_dir / "models")
    metadata = read_gguf_metadata(path)
    assert metadata["general.name"] == "Qwen2.5 Coder 0.5B Instruct AWQ"
    assert metadata["general.architecture"] == "qwen2"
    assert is_instruction_tuned(metadata)
    assert verified_model_path(path, PACKAGED_MODEL_SHA256) == path


def test_a_swapped_model_file_is_refused(model_dir: Path, tmp_path: Path) -> None:
    swapped = tmp_path / "model.gguf"
    swapped.write_bytes(b"GGUF" + b"\0" * 64)
    with pytest.raises(ModelIntegrityError):
        verified_model_path(swapped, PACKAGED_MODEL_SHA256)
    cached = assemble_packaged_model(model_dir / "models")
    with cached.open("r+b") as handle:  # corrupt the cached copy: the next start must rebuild it
        handle.seek(1000)
        handle.write(b"\xff\xff\xff\xff")
    assert assemble_packaged_model(model_dir / "models") == cached
    assert verified_model_path(cached, PACKAGED_MODEL_SHA256) == cached


def test_embedded_model_answers_through_the_gateway(model_dir: Path) -> None:
    settings = Settings(SAGE_GATEWAY_DATA_DIR=model_dir, SAGE_LOCAL_PARALLEL=1, SAGE_LOCAL_CONTEXT_TOKENS=2048)
    assert settings.resolved_chat_backend() == "local"
    with TestClient(create_app(settings)) as client:
        models = [m["id"] for m in client.get("/v1/models").json()["data"]]
        assert models == ["qwen2.5-coder-0.5b-instruct", "sage-default", "all-MiniLM-L6-v2"]
        response = client.post(
            "/v1/chat/completions",
            json={
                "model": "sage-default",
                "max_tokens": 24,
                "temperature": 0,
                "messages": [{"role": "user", "content": "What is the capital of France? Answer in one sentence."}],
            },
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert "Paris" in body["choices"][0]["message"]["content"]
        assert body["usage"]["completion_tokens"] <= 24
        assert "usage_estimated" not in body["sage"]  # llama.cpp reported real usage
        # The same model through Anthropic's Messages API, read with the official client's types.
        reply = client.post(
            "/v1/messages",
            headers={"x-api-key": "unused", "anthropic-version": "2023-06-01"},
            json={
                "model": "sage-default",
                "max_tokens": 24,
                "temperature": 0,
                "messages": [{"role": "user", "content": "What is the capital of France? Answer in one sentence."}],
            },
        )
        assert reply.status_code == 200, reply.text
        message = anthropic.types.Message.model_validate(reply.json())
        assert "Paris" in message.content[0].text  # type: ignore[union-attr]
        assert 0 < message.usage.output_tokens <= 24 and message.stop_reason in ("end_turn", "max_tokens")
        # And through the Responses API, read with the `openai` client's types.
        made = client.post(
            "/v1/responses",
            json={
                "model": "sage-default",
                "max_output_tokens": 24,
                "temperature": 0,
                "input": "What is the capital of France? Answer in one sentence.",
            },
        )
        assert made.status_code == 200, made.text
        response = openai.types.responses.Response.model_validate(made.json())
        assert "Paris" in response.output_text
        assert response.usage is not None and 0 < response.usage.output_tokens <= 24
        stream = client.post(
            "/v1/chat/completions",
            json={
                "model": "sage-default",
                "max_tokens": 16,
                "stream": True,
                "session_id": body["session_id"],
                "messages": [{"role": "user", "content": "And of Italy?"}],
            },
        )
        assert stream.status_code == 200
        assert stream.text.count('"delta":{"content"') >= 2 and stream.text.rstrip().endswith("data: [DONE]")
