"""`sage-llm-gateway ingest DIR` builds the index the gateway serves, and refuses folders outside the roots."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.integration.servers import PROJECT_ROOT
from tests.rag_fixtures import DOC_PAGES


def run_ingest(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "SAGE_GATEWAY_DOCS_ROOTS": str(tmp_path / "roots"),
        "SAGE_GATEWAY_DATA_DIR": str(tmp_path / "data"),
    }
    return subprocess.run(
        [sys.executable, "-m", "api", "ingest", source],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_ingest_builds_the_index_with_progress(tmp_path: Path) -> None:
    shutil.copytree(PROJECT_ROOT / "docs", tmp_path / "roots" / "docs")
    result = run_ingest(tmp_path, str(tmp_path / "roots" / "docs"))
    assert result.returncode == 0, result.stderr
    assert "indexing" in result.stderr and f"{DOC_PAGES}/{DOC_PAGES}" in result.stderr  # the tqdm progress bar
    assert f"indexed {DOC_PAGES} documents" in result.stdout
    index_dir = tmp_path / "data" / "index"
    version = (index_dir / "CURRENT").read_text()
    manifest = json.loads((index_dir / version / "manifest.json").read_text())
    assert manifest["num_documents"] == DOC_PAGES and manifest["embedding"]["model"] == "all-MiniLM-L6-v2"
    again = run_ingest(tmp_path, str(tmp_path / "roots" / "docs"))
    assert f"0 embedded, {DOC_PAGES} unchanged" in again.stdout


def test_ingest_refuses_a_folder_outside_the_roots(tmp_path: Path) -> None:
    (tmp_path / "roots").mkdir()
    result = run_ingest(tmp_path, str(PROJECT_ROOT / "docs"))
    assert result.returncode == 2
    assert "outside the configured document roots" in result.stderr
    assert not (tmp_path / "data" / "index").exists()
