"""The real embedded model: packaged weights, hash pin, GGUF metadata, and one short answer."""

import os
from pathlib import Path

import anthropic
import openai
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from config.settings import Settings
from llm.gguf import is_instruction_tuned, read_gguf_metadata
from llm.local_server import PACKAGED_MODEL_SHA256, ModelIntegrityError, assemble_packaged_model, verified_model_path
from tests.integration.servers import start_gateway, stop


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


def processes_mapping(path: Path) -> set[int]:
    """The processes that have `path` mapped (llama.cpp maps the weights it serves)."""
    mapping = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if str(path) in (entry / "maps").read_text():
                    mapping.add(int(entry.name))
            except OSError:
                continue  # gone, or not ours to read
    return mapping


def test_workers_share_one_embedded_model_served_by_the_supervisor(model_dir: Path) -> None:
    weights = assemble_packaged_model(model_dir / "models")
    env = {"SAGE_GATEWAY_WORKERS": "2", "SAGE_LOCAL_PARALLEL": "2", "SAGE_LOCAL_CONTEXT_TOKENS": "2048"}
    outer = {name: os.environ.pop(name) for name in list(os.environ) if name.startswith("SAGE_CHAT_")}
    try:
        process, base_url = start_gateway(env, model_dir, start_timeout=180)
    finally:
        os.environ.update(outer)
    try:
        client = openai.OpenAI(base_url=f"{base_url}/v1", api_key="unused", max_retries=0)
        for _ in range(4):  # over a new connection each time, so both workers answer
            answer = client.with_options(timeout=120).chat.completions.create(
                model="sage-default",
                max_tokens=8,
                temperature=0,
                messages=[{"role": "user", "content": "Say OK."}],
            )
            assert answer.choices[0].message.content
        workers = [int(pid) for pid in Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()]
        assert len(workers) >= 2
        assert processes_mapping(weights) == {process.pid}  # loaded once, by the supervisor; no worker maps it
    finally:
        stop(process)
