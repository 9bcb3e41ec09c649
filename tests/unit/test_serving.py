"""The CLI serves with the edge settings (the protocol with its header deadline and connection cap, keep-alive),
and with several workers serves the embedded model once for all of them."""

import os
import pickle
from pathlib import Path
from typing import Any

import pytest

from api.cli import main, server_config
from api.server import EdgeLimits, EdgeProtocol, ServerConfig
from config.settings import Settings


def test_the_server_config_carries_the_edge_settings() -> None:
    settings = Settings(
        SAGE_GATEWAY_PORT=9123,
        SAGE_GATEWAY_HEADER_TIMEOUT_SECONDS=2.5,
        SAGE_GATEWAY_MAX_CONNECTIONS=77,
        SAGE_GATEWAY_KEEP_ALIVE_SECONDS=9,
    )
    config = server_config("api.app:create_app_from_env", settings, None)
    assert isinstance(config, ServerConfig)
    assert config.http is EdgeProtocol
    assert config.limits == EdgeLimits(header_timeout=2.5, max_connections=77)
    assert (config.port, config.timeout_keep_alive, config.limit_concurrency) == (9123, 9, 78)
    assert config.factory
    assert pickle.loads(pickle.dumps(config)).limits == config.limits  # what worker processes receive


def test_the_defaults_bound_headers_bodies_and_connections() -> None:
    settings = Settings()
    assert settings.header_timeout_seconds == 10
    assert settings.body_timeout_seconds == 30
    assert settings.max_connections == 1024
    assert settings.keep_alive_seconds == 5


class ServedModel:
    base_url = "http://127.0.0.1:9/v1"
    closed = False

    def close(self) -> None:
        self.closed = True


def test_workers_get_the_embedded_model_the_supervisor_serves_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    served, seen = ServedModel(), []
    monkeypatch.setattr("api.cli.start_embedded_model", lambda local: served)
    monkeypatch.setattr("api.cli.check_storage", lambda settings: None)
    monkeypatch.setattr(
        "api.cli.serve", lambda config: seen.append((config.app, os.environ.get("SAGE_LOCAL_SERVED_URL")))
    )
    for name in [name for name in os.environ if name.startswith("SAGE_")]:
        monkeypatch.delenv(name)
    main(["--workers", "2", "--data-dir", str(tmp_path)])
    assert seen == [("api.app:create_app_from_env", served.base_url)]
    assert served.closed and "SAGE_LOCAL_SERVED_URL" not in os.environ


def test_a_worker_uses_the_served_model_instead_of_starting_one(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    from config.sections import ChatEndpointConfig, LocalModelConfig
    from llm.endpoint import serving_endpoint

    def refuse(local: Any) -> None:
        raise AssertionError("a worker started its own model")

    monkeypatch.setattr("llm.endpoint.start_embedded_model", refuse)

    async def endpoint() -> Any:
        local = LocalModelConfig(cache_dir=Path("unused"), served_url="http://127.0.0.1:9/v1")
        async with serving_endpoint(ChatEndpointConfig(backend="local"), local) as served:
            return served

    served = asyncio.run(endpoint())
    assert (served.base_url, served.model_name, served.backend) == (
        "http://127.0.0.1:9/v1",
        "qwen2.5-coder-0.5b-instruct",
        "local",
    )
