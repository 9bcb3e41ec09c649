"""Shared fixtures: settings on a temporary data dir and an app (inside its lifespan) on fake resources."""

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from config.settings import Settings
from graph.resources import ModelHandles
from tests.fakes import fake_models


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/integration is marked `integration`."""
    for item in items:
        if "integration" in Path(str(item.fspath)).parts:
            item.add_marker(pytest.mark.integration)


_FIGURES: list[str] = []


@pytest.fixture
def report_figure() -> Callable[[str], None]:
    """Record a measured figure; all of them are printed in the terminal summary of the run."""
    return _FIGURES.append


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _FIGURES:
        terminalreporter.section("measured figures")
        for line in _FIGURES:
            terminalreporter.write_line(line)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(SAGE_GATEWAY_DATA_DIR=tmp_path, SAGE_GATEWAY_SESSION_BACKEND="sqlite")


ClientFactory = Callable[..., TestClient]


@pytest.fixture
def make_client(settings: Settings) -> Iterator[ClientFactory]:
    """Build a TestClient (lifespan running) on the given model handles; closed at the end of the test."""
    clients: list[TestClient] = []

    def factory(models: ModelHandles | None = None, app_settings: Settings | None = None) -> TestClient:
        app = create_app(app_settings or settings, models=models or fake_models())
        client = TestClient(app, raise_server_exceptions=False)
        client.__enter__()
        clients.append(client)
        return client

    yield factory
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: ClientFactory) -> TestClient:
    return make_client()
