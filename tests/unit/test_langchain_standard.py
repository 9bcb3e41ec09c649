"""LangChain's standard chat-model integration suite, with `ChatOpenAI` pointed at the gateway.

The gateway runs in process on a real uvicorn (loopback), its chat backend the tool- and JSON-capable fake
upstream (bench/fake_upstream.py) reached through langchain-openai, so every request crosses two real HTTP hops.
`TestChatOpenAIDirect` runs the same suite against the fake upstream alone: the baseline the gateway must match.
Capabilities neither side has (images, audio, PDF, Anthropic-style inputs) are declared absent, so the suite
skips those tests and says why.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from langchain_openai import ChatOpenAI
from langchain_tests.integration_tests import ChatModelIntegrationTests

from api.app import create_app
from bench.fake_upstream import running_fake_upstream, serving_in_thread
from config.settings import Settings
from llm.chat import openai_compatible_chat_model
from tests.fakes import fake_models

# langchain-openai caches one async HTTP client per base URL for the process; it must stay on one event loop. The
# mark reaches the suite's synchronous tests too, where pytest-asyncio only warns that it does nothing.
pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.filterwarnings("ignore:The test <Function .* is not an async function:pytest.PytestWarning"),
]


class _Capabilities(ChatModelIntegrationTests):
    """What the gateway (and the fake behind it) can do, declared honestly."""

    base_url = ""
    model_name = "fake-upstream"

    @property
    def chat_model_class(self) -> type[ChatOpenAI]:
        return ChatOpenAI

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": self.model_name, "base_url": self.base_url, "api_key": "unused", "stream_usage": True}

    @property
    def has_tool_calling(self) -> bool:
        return True

    @property
    def has_tool_choice(self) -> bool:
        return True

    @property
    def has_structured_output(self) -> bool:
        return True

    @property
    def structured_output_kwargs(self) -> dict[str, Any]:
        # ChatOpenAI's default: `response_format` json_schema (strict); the v1-pydantic test falls back to a tool call.
        return {"method": "json_schema"}

    @property
    def supports_json_mode(self) -> bool:
        return True

    @property
    def supports_image_inputs(self) -> bool:
        return False

    @property
    def supports_image_urls(self) -> bool:
        return False

    @property
    def supports_pdf_inputs(self) -> bool:
        return False

    @property
    def supports_audio_inputs(self) -> bool:
        return False

    @property
    def supports_video_inputs(self) -> bool:
        return False

    @property
    def supports_anthropic_inputs(self) -> bool:
        return False

    @property
    def supports_image_tool_message(self) -> bool:
        return False

    @property
    def supports_pdf_tool_message(self) -> bool:
        return False

    @property
    def returns_usage_metadata(self) -> bool:
        return True

    @property
    def supports_model_override(self) -> bool:
        # One chat model on each side: the fake answers as it whatever `model` says, the gateway serves it under its
        # name and the `sage-default` alias (another id is a 404).
        return False

    @property
    def supported_usage_metadata_details(self) -> dict[str, list[Any]]:
        return {"invoke": [], "stream": []}


@pytest.fixture(scope="module")
def upstream_url() -> Iterator[str]:
    with running_fake_upstream() as (url, _behaviour):
        yield url


class TestChatOpenAIDirect(_Capabilities):
    @pytest.fixture(autouse=True, scope="class")
    def _target(self, upstream_url: str) -> Iterator[None]:
        type(self).base_url = upstream_url
        yield


class TestChatOpenAIThroughGateway(_Capabilities):
    model_name = "sage-default"

    @pytest.fixture(autouse=True, scope="class")
    def _target(self, upstream_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
        settings = Settings(SAGE_GATEWAY_DATA_DIR=tmp_path_factory.mktemp("gateway"), SAGE_GATEWAY_AUTO_INDEX=False)
        chat = openai_compatible_chat_model(
            base_url=upstream_url,
            model="fake-upstream",
            api_key=None,
            timeout_seconds=30,
            connect_timeout_seconds=5,
            max_retries=0,
        )
        app = create_app(settings, models=fake_models(chat))  # type: ignore[arg-type]
        with serving_in_thread(app) as gateway_url:
            type(self).base_url = f"{gateway_url}/v1"
            yield
