"""Fixtures for integration tests: a fresh PostgreSQL database per test."""

import uuid
from collections.abc import Iterator

import psycopg
import pytest

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture
def database_url() -> Iterator[str]:
    """A fresh database per test (LangGraph's tables have fixed names), dropped afterwards."""
    name = f"sage_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:  # pragma: no cover - .ci/run starts PostgreSQL
        pytest.fail(f"PostgreSQL is not reachable on 127.0.0.1:5432 ({exc}); start it, as .ci/run does")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"postgresql://postgres@127.0.0.1:5432/{name}"
        finally:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
