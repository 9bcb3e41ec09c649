"""The CLI serves with the edge settings: the protocol with its header deadline and connection cap, keep-alive."""

import pickle

from api.cli import server_config
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
