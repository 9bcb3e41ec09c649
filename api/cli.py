"""`sage-llm-gateway`: start the gateway with uvicorn."""

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import uvicorn

from api.app import create_app
from api.settings import Settings


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
        "--workers", type=int, default=defaults.workers, help="worker processes (N > 1 needs PostgreSQL)"
    )
    return parser.parse_args(argv)


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
        }
    )
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if settings.workers == 1:
        uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level=settings.log_level)
        return
    if settings.resolved_session_backend() != "postgres":
        raise SystemExit("SAGE_GATEWAY_WORKERS > 1 needs SAGE_GATEWAY_DATABASE_URL: SQLite sessions serve one process")
    # Worker processes build their own app from the environment: hand them the flags through it (start-up only).
    os.environ.update({"SAGE_GATEWAY_DATA_DIR": str(settings.data_dir), "SAGE_GATEWAY_LOG_LEVEL": settings.log_level})
    uvicorn.run(
        "api.app:create_app_from_env",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=settings.log_level,
    )


if __name__ == "__main__":
    main()
