"""Fake chat models for offline tests, built on langchain-core's `GenericFakeChatModel`."""

import itertools
from collections.abc import Iterator
from typing import Any

from langchain_core.language_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from config.settings import Settings
from graph.resources import ModelHandles, Resources, build_resources
from memory.backends.short_term import ShortTermMemory


def answer_stream(texts: tuple[str, ...]) -> Iterator[AIMessage]:
    for text in itertools.cycle(texts):
        yield AIMessage(text)  # a fresh message (and id) per answer, as a real model gives


def fake_chat(*answers: str) -> GenericFakeChatModel:
    """A model that answers with `answers` in turn (cycling), streaming word by word."""
    return GenericFakeChatModel(messages=answer_stream(answers or ("fake answer",)))


class FailingChatModel(GenericFakeChatModel):
    """A model whose every call raises a new `error_factory()` (a backend that is down, say)."""

    error_factory: Any = lambda: RuntimeError("backend failure")  # noqa: E731

    def _generate(self, *args: Any, **kwargs: Any) -> Any:
        raise self.error_factory()

    async def _agenerate(self, *args: Any, **kwargs: Any) -> Any:
        raise self.error_factory()

    async def _astream(self, *args: Any, **kwargs: Any) -> Any:
        raise self.error_factory()
        yield  # pragma: no cover


class FailOnceChatModel(GenericFakeChatModel):
    """Fails the first call, then answers: the primary node fails and the fallback succeeds."""

    calls: int = 0

    async def _agenerate(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        if self.calls == 1:
            raise RuntimeError("first call fails")
        return await super()._agenerate(*args, **kwargs)


def fake_models(model: GenericFakeChatModel | None = None, **handles: Any) -> ModelHandles:
    """Model handles with a fake chat model (and whatever else a test passes: an index, a breaker, embeddings)."""
    return ModelHandles(chat_model=model or fake_chat(), model_name="fake-model", backend="fake", **handles)


def fake_resources(
    model: GenericFakeChatModel | None = None, *, window: int = 20, intent_classifier: bool = False
) -> Resources:
    """Graph resources on a fake chat model and the short-term memory window, as `build_resources` builds them."""
    settings = Settings(SAGE_INTENT_CLASSIFIER="llm" if intent_classifier else "rules")
    return build_resources(settings, fake_models(model), ShortTermMemory(window_turns=window, max_tokens=100_000))
