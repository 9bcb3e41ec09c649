"""A real gateway process at INFO: request ids in the log lines, never keys or prompts."""

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import httpx

from bench.fake_upstream import free_port, running_fake_upstream
from tests.integration.servers import PROJECT_ROOT, running_gateway

CLIENT_KEY = "sk-" + uuid.uuid4().hex
ADMIN_KEY = "sk-admin-" + uuid.uuid4().hex


def test_logs_carry_request_ids_and_no_secrets(tmp_path: Path) -> None:
    prompt = "my private question " + uuid.uuid4().hex
    log_file = tmp_path / "gateway.log"
    with running_fake_upstream() as (upstream_url, _):
        env = {
            "SAGE_CHAT_BASE_URL": upstream_url,
            "SAGE_GATEWAY_API_KEY": CLIENT_KEY,
            "SAGE_GATEWAY_ADMIN_KEY": ADMIN_KEY,
        }
        with running_gateway(env, tmp_path / "data", log_level="info", log_file=log_file) as base_url:
            headers = {"Authorization": f"Bearer {CLIENT_KEY}"}
            body = {"model": "sage-default", "messages": [{"role": "user", "content": prompt}]}
            answered = httpx.post(f"{base_url}/v1/chat/completions", json=body, headers=headers, timeout=30)
            refused = httpx.post(f"{base_url}/v1/chat/completions", json=body, timeout=30)
            httpx.get(f"{base_url}/metrics", headers={"Authorization": f"Bearer {ADMIN_KEY}"}, timeout=30)
    assert answered.status_code == 200
    assert refused.status_code == 401
    log = log_file.read_text()
    access = [line for line in log.splitlines() if "uvicorn.access" in line]
    assert any(answered.headers["x-request-id"] in line and "/v1/chat/completions" in line for line in access)
    assert any(refused.headers["x-request-id"] in line for line in access)
    assert all(re.search(r"\[([0-9a-f]{32}|-)\]", line) for line in log.splitlines() if " INFO " in line)
    assert CLIENT_KEY not in log and ADMIN_KEY not in log
    assert prompt not in log


def test_a_corrupt_session_database_stops_the_command_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "store.sqlite").write_bytes(b"this is not a database" * 100)
    env = {**os.environ, "SAGE_GATEWAY_DATA_DIR": str(tmp_path), "SAGE_GATEWAY_AUTO_INDEX": "false"}
    started = subprocess.run(
        [sys.executable, "-m", "api", "--port", str(free_port())],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert started.returncode == 1
    assert "Traceback" not in started.stderr
    assert started.stderr.strip().splitlines()[-1].startswith("error: session database ")
