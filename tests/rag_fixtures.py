"""Fixtures for RAG tests: the packaged embedding model, a corpus under a docs root, an app with an index."""

import shutil
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from config.settings import Settings
from ingest.service import IndexService
from llm.embeddings import EmbeddingModel, OnnxSentenceEmbeddings

PROJECT_DOCS = Path(__file__).resolve().parents[1] / "docs"
DOC_PAGES = len(list(PROJECT_DOCS.rglob("*.md")))
"""The pages of the project docs (English and `zh/`), each one indexed document."""
FIXTURE_CORPUS = Path(__file__).resolve().parent / "data" / "corpus"
"""Seven pages of the project's documentation, frozen: the tests' expectations (and their time) stay put as the
real docs grow."""


def corpus_settings(tmp_path: Path) -> Settings:
    """Settings whose only docs root is `tmp_path/roots`, holding a copy of the fixture corpus as `corpus`."""
    root = tmp_path / "roots"
    shutil.copytree(FIXTURE_CORPUS, root / "corpus")
    return Settings(
        SAGE_GATEWAY_DATA_DIR=tmp_path / "data",
        SAGE_GATEWAY_DOCS_ROOTS=str(root),
        SAGE_GATEWAY_DEFAULT_DOCS=root / "corpus",
        SAGE_GATEWAY_AUTO_INDEX=False,
    )


def index_service(settings: Settings, embeddings: OnnxSentenceEmbeddings) -> IndexService:
    return IndexService(settings.index(), EmbeddingModel(embeddings, embeddings.name, embeddings.dim))


def wait_for_build(client: TestClient, timeout: float = 120) -> dict[str, Any]:
    """Poll the status route until the build is no longer running; returns the last status."""
    deadline = time.monotonic() + timeout
    while True:
        status = client.get("/admin/index/status").json()
        if status["status"] != "building":
            return status
        if time.monotonic() > deadline:
            raise TimeoutError("index build did not finish")
        time.sleep(0.05)
