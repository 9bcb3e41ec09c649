"""`sage-llm-gateway`: start the gateway with uvicorn."""

import argparse
import ipaddress
import logging.config
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from api.app import check_storage, create_app
from api.logging_setup import log_config
from api.server import EdgeLimits, ServerConfig, serve
from config.settings import Settings
from llm.endpoint import start_embedded_model
from llm.local_server import ModelIntegrityError
from memory.storage_faults import StorageOpenError


def parse_args(argv: Sequence[str] | None, defaults: Settings) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="sage-llm-gateway", description="OpenAI-compatible chat gateway on LangGraph."
    )
    parser.add_argument("--host", default=defaults.host, help="address to bind (default %(default)s)")
    parser.add_argument("--port", type=int, default=defaults.port, help="port to bind (default %(default)s)")
    parser.add_argument(
        "--log-level", default=defaults.log_level, choices=["critical", "error", "warning", "info", "debug"]
    )
    parser.add_argument("--data-dir", type=Path, default=defaults.data_dir, help="sessions and model cache")
    parser.add_argument(
        "--workers",
        type=int,
        default=defaults.workers,
        help="worker processes sharing the sessions (SQLite or PostgreSQL) and one embedded model",
    )
    parser.add_argument(
        "--insecure",
        action="store_true",
        default=defaults.insecure,
        help="allow a non-loopback address without SAGE_GATEWAY_API_KEY (anyone who can reach it gets in)",
    )
    return parser.parse_args(argv)


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (`localhost`, 127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def refuse_open_bind(settings: Settings) -> None:
    """Without keys, the gateway is open to whoever reaches it: only loopback, unless the operator insists."""
    if settings.keys_configured or is_loopback(settings.host) or settings.insecure:
        return
    raise SystemExit(
        f"refusing to serve {settings.host} without an API key: set SAGE_GATEWAY_API_KEY "
        "(and SAGE_GATEWAY_ADMIN_KEY), bind 127.0.0.1, or pass --insecure"
    )


def server_config(app: Any, settings: Settings, logging_config: dict[str, Any] | None) -> ServerConfig:
    """uvicorn's configuration: the bind address, logging, workers (`app` is then an import string of a factory),
    keep-alive and the connection limits."""
    return ServerConfig(
        app,
        limits=EdgeLimits(header_timeout=settings.header_timeout_seconds, max_connections=settings.max_connections),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        log_config=logging_config,
        timeout_keep_alive=settings.keep_alive_seconds,
        workers=settings.workers,
        factory=isinstance(app, str),
    )


@contextmanager
def model_served_for_workers(settings: Settings) -> Iterator[None]:
    """With the embedded model, serve it here, once, and point the worker processes at it through the environment
    (each would otherwise load its own copy of the weights and its own context cache)."""
    local = settings.local_model()
    if settings.resolved_chat_backend() != "local" or local.served_url is not None:
        yield
        return
    try:
        server = start_embedded_model(local)
    except (ModelIntegrityError, ValueError) as exc:
        raise SystemExit(f"error: {exc}") from None
    os.environ["SAGE_LOCAL_SERVED_URL"] = server.base_url
    try:
        yield
    finally:
        del os.environ["SAGE_LOCAL_SERVED_URL"]
        server.close()


def main(argv: Sequence[str] | None = None) -> None:
    """Read settings from the environment once, let flags override them, and serve (or run `ingest`)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["ingest"]:
        from ingest.cli import main as ingest_main

        raise SystemExit(ingest_main(argv[1:]))
    defaults = Settings()
    args = parse_args(argv, defaults)
    settings = defaults.model_copy(
        update={
            "host": args.host,
            "port": args.port,
            "log_level": args.log_level,
            "data_dir": args.data_dir.expanduser(),
            "workers": args.workers,
            "insecure": args.insecure,
        }
    )
    refuse_open_bind(settings)
    try:  # before serving: uvicorn would report a failed lifespan as a traceback
        check_storage(settings)
    except StorageOpenError as exc:
        raise SystemExit(f"error: {exc}") from None
    logging_config = log_config(settings.log_level)
    logging.config.dictConfig(logging_config)
    if settings.workers == 1:
        serve(server_config(create_app(settings), settings, logging_config))
        return
    if settings.resolved_session_backend() == "memory":
        raise SystemExit(
            "SAGE_GATEWAY_WORKERS > 1 needs sessions the workers share: SQLite under the data dir (the default) or "
            "PostgreSQL; SAGE_GATEWAY_SESSION_BACKEND=memory lives in one process"
        )
    # Worker processes build their own app from the environment: hand them the flags through it (start-up only).
    os.environ.update({"SAGE_GATEWAY_DATA_DIR": str(settings.data_dir), "SAGE_GATEWAY_LOG_LEVEL": settings.log_level})
    with model_served_for_workers(settings):
        serve(server_config("api.app:create_app_from_env", settings, logging_config))


if __name__ == "__main__":
    main()
