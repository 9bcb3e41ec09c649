"""A few of LangChain's standard chat-model tests with `ChatOpenAI` at the gateway on the real embedded model:
a forced tool call, structured output with a pydantic schema (and the other schema kinds), and histories that
carry tool results. The unit suite runs the whole standard suite against a fake upstream; this shows the
packaged Qwen2.5 0.5B behind the gateway does the same things for real (grammar-held JSON and tool calls)."""

from collections.abc import Iterator
from typing import Any

import openai
import pytest
from langchain_openai import ChatOpenAI
from langchain_tests.integration_tests import ChatModelIntegrationTests
from langchain_tests.unit_tests.chat_models import ChatModelTests
from pydantic import BaseModel

from api.app import create_app
from bench.fake_upstream import serving_in_thread
from config.settings import Settings

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(scope="module")
def gateway_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("embedded-gateway")
    settings = Settings(
        SAGE_GATEWAY_DATA_DIR=data, SAGE_GATEWAY_AUTO_INDEX=False, SAGE_LOCAL_PARALLEL=1, SAGE_LOCAL_CONTEXT_TOKENS=4096
    )
    with serving_in_thread(create_app(settings), start_timeout=600) as url:
        yield f"{url}/v1"


class TestEmbeddedModelThroughGateway(ChatModelTests):
    """Only the chosen standard tests run here (each is the suite's own method, unchanged)."""

    base_url = ""

    @pytest.fixture(autouse=True, scope="class")
    def _target(self, gateway_url: str) -> Iterator[None]:
        type(self).base_url = gateway_url
        yield

    @property
    def chat_model_class(self) -> type[ChatOpenAI]:
        return ChatOpenAI

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": "sage-default", "base_url": self.base_url, "api_key": "unused", "max_tokens": 200}

    @property
    def has_tool_choice(self) -> bool:
        return True

    @property
    def has_structured_output(self) -> bool:
        return True

    test_tool_calling = ChatModelIntegrationTests.test_tool_calling
    test_structured_output = ChatModelIntegrationTests.test_structured_output
    test_tool_message_histories_string_content = ChatModelIntegrationTests.test_tool_message_histories_string_content
    test_tool_message_histories_list_content = ChatModelIntegrationTests.test_tool_message_histories_list_content


class Capital(BaseModel):
    country: str
    capital: str


def test_the_openai_sdk_parses_the_embedded_models_answer_into_a_pydantic_model(gateway_url: str) -> None:
    client = openai.OpenAI(base_url=gateway_url, api_key="unused", max_retries=0)
    completion = client.chat.completions.parse(
        model="sage-default",
        messages=[{"role": "user", "content": "What is the capital of France? Answer as JSON."}],
        response_format=Capital,
        max_tokens=60,
        temperature=0,
    )
    parsed = completion.choices[0].message.parsed
    assert isinstance(parsed, Capital) and parsed.capital
