"""Where the chat model is served: the configured remote endpoint, or the embedded model started for it."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from config.sections import ChatEndpointConfig, LocalModelConfig
from llm.local_server import (
    PACKAGED_MODEL_NAME,
    LocalModelServer,
    assemble_packaged_model,
    start_local_server,
    verified_model_path,
)


@dataclass(frozen=True)
class Endpoint:
    """An OpenAI-compatible base URL, the model name there, and the backend kind (`openai` or `local`)."""

    base_url: str
    model_name: str
    backend: str


@asynccontextmanager
async def serving_endpoint(chat: ChatEndpointConfig, local: LocalModelConfig) -> AsyncIterator[Endpoint]:
    """The configured backend's endpoint; for the embedded model, its server runs exactly as long as this block
    (unless another process serves it: `local.served_url`)."""
    if chat.backend == "openai":
        if not chat.base_url:
            raise ValueError("SAGE_CHAT_BACKEND=openai needs SAGE_CHAT_BASE_URL")
        yield Endpoint(chat.base_url, chat.model or "default", "openai")
        return
    if local.served_url is not None:
        yield Endpoint(local.served_url, PACKAGED_MODEL_NAME, "local")
        return
    server = await asyncio.to_thread(start_embedded_model, local)
    try:
        yield Endpoint(server.base_url, server.model_name, "local")
    finally:
        await asyncio.to_thread(server.close)


def start_embedded_model(local: LocalModelConfig) -> LocalModelServer:
    """Verify (or assemble) the pinned GGUF and start its llama.cpp server on loopback (blocking: seconds)."""
    if local.model_path is not None:
        if not local.model_sha256:
            raise ValueError("SAGE_LOCAL_MODEL_PATH needs SAGE_LOCAL_MODEL_SHA256 to pin the file")
        model_path = verified_model_path(local.model_path, local.model_sha256)
    else:
        model_path = assemble_packaged_model(local.cache_dir)
    return start_local_server(
        model_path,
        context_tokens=local.context_tokens,
        threads=local.threads,
        parallel=local.parallel,
    )
