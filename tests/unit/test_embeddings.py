"""The packaged embedding model, and a Hugging Face model id resolved from the local cache only."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from llm.embeddings import (
    MODEL_FILE,
    MODEL_SHA256,
    TOKENIZER_FILE,
    TOKENIZER_SHA256,
    EmbeddingModelError,
    _packaged_file,
    local_embeddings,
)


def test_packaged_model_gives_unit_vectors_that_rank_paraphrases_first() -> None:
    model = local_embeddings(None)
    vectors = model.embed_array(["How do I start the server?", "Starting the gateway: run make run.", "Bananas."])
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2
    assert model.embed_query("x") == pytest.approx(model.embed_documents(["x"])[0], abs=1e-6)


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="CPU affinity is Linux-only")
def test_inference_threads_follow_the_cpus_the_process_may_use_not_the_machine() -> None:
    """A process pinned to one CPU gets one inference thread (two on one CPU made a query 2.5x slower)."""
    probe = (
        "import os; os.sched_setaffinity(0, {min(os.sched_getaffinity(0))});"
        "from llm.embeddings import local_embeddings;"
        "print(local_embeddings(None)._session.get_session_options().intra_op_num_threads)"
    )
    pinned = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120)
    assert pinned.stdout.strip() == "1"
    model = local_embeddings(None)
    assert model._session.get_session_options().intra_op_num_threads == len(os.sched_getaffinity(0))


def test_inference_threads_sleep_between_queries_instead_of_spinning() -> None:
    """A spinning pool burnt 20 ms of CPU per query (three times the query itself) between queries."""
    options = local_embeddings(None)._session.get_session_options()
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"
    assert options.get_session_config_entry("session.inter_op.allow_spinning") == "0"


def fake_hf_cache(cache: Path, repo_id: str) -> None:
    """The layout `huggingface_hub` keeps: refs/main -> snapshots/<revision>/files."""
    folder = cache / f"models--{repo_id.replace('/', '--')}"
    snapshot = folder / "snapshots" / "0123456789abcdef"
    (snapshot / "onnx").mkdir(parents=True)
    (folder / "refs").mkdir()
    (folder / "refs" / "main").write_text("0123456789abcdef")
    shutil.copy(_packaged_file(*MODEL_FILE, MODEL_SHA256), snapshot / "onnx" / "model.onnx")
    shutil.copy(_packaged_file(*TOKENIZER_FILE, TOKENIZER_SHA256), snapshot / "tokenizer.json")


def test_hf_model_id_is_resolved_from_the_local_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    fake_hf_cache(tmp_path, "acme/minilm-onnx")
    model = local_embeddings("hf:acme/minilm-onnx", cache_dir=tmp_path)
    assert model.name == "acme/minilm-onnx"
    assert model.embed_array(["same text"]) == pytest.approx(local_embeddings(None).embed_array(["same text"]))


def test_hf_model_missing_from_the_cache_is_an_error_not_a_download(tmp_path: Path) -> None:
    with pytest.raises(Exception) as raised:
        local_embeddings("hf:acme/not-cached", cache_dir=tmp_path)
    assert "local" in str(raised.value).lower() or isinstance(raised.value, EmbeddingModelError)
