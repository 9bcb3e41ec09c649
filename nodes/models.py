"""Chat-model factory: every backend is reached through `langchain-openai`'s `ChatOpenAI`.

Remote servers (vLLM, Ollama, OpenAI) and the embedded llama.cpp server all speak the OpenAI wire format, so one
client type covers them and token usage, streaming and sampling parameters behave the same everywhere.
"""

import httpx
from langchain_core.language_models import BaseChatModel
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

NO_KEY = "not-needed"
"""Local servers need no key, but the OpenAI client insists on one being set."""


def openai_compatible_chat_model(
    *,
    base_url: str,
    model: str,
    api_key: SecretStr | None,
    timeout_seconds: float,
    connect_timeout_seconds: float,
    max_retries: int,
) -> BaseChatModel:
    """Build the streaming chat client for one OpenAI-compatible endpoint.

    `stream_usage=True` makes the upstream report real token counts at the end of a stream, which the gateway
    passes on as `usage`.
    """
    return ChatOpenAI(
        base_url=base_url,
        model=model,
        api_key=api_key or SecretStr(NO_KEY),
        timeout=httpx.Timeout(timeout_seconds, connect=connect_timeout_seconds),
        max_retries=max_retries,
        stream_usage=True,
    )
