"""The circuit breaker: it opens after repeated backend failures, sends turns to the fallback, and recovers."""

from typing import Any

import httpx
import openai
import pytest
from langchain_core.language_models import GenericFakeChatModel

from llm.breaker import CircuitBreaker, CircuitOpenError, is_backend_failure
from tests.conftest import ClientFactory
from tests.fakes import answer_stream, fake_models


class SwitchableModel(GenericFakeChatModel):
    """A backend that is down (connection refused) until a test brings it back; counts its calls."""

    down: bool = True
    calls: int = 0

    async def _agenerate(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        if self.down:
            raise ConnectionError("connection refused")
        return await super()._agenerate(*args, **kwargs)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def ask(client, text: str):  # type: ignore[no-untyped-def]
    return client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": text}]})


def test_open_breaker_fails_turns_at_once_fallback_included_until_the_reset_time(make_client: ClientFactory) -> None:
    clock = Clock()
    model = SwitchableModel(messages=answer_stream(("recovered",)))
    breaker = CircuitBreaker(failure_threshold=2, reset_seconds=30, clock=clock)
    client = make_client(fake_models(model, breaker=breaker))

    failed = ask(client, "hello?")  # primary and fallback both fail: the client gets a 503, the breaker counts two
    assert failed.status_code == 503
    assert breaker.state == "open"
    assert client.get("/ready").status_code == 503

    model.down = False
    calls = model.calls
    refused = ask(client, "are you back?")
    assert refused.status_code == 503 and refused.json()["error"]["code"] == "upstream_unavailable"
    assert model.calls == calls  # neither generate_answer nor the fallback waited on the backend
    metrics = client.get("/metrics").text
    assert 'sage_circuit_breaker_state{state="open"} 1.0' in metrics

    clock.now += 31  # half-open: one trial turn goes through generate_answer again
    trial = ask(client, "and now?")
    assert trial.status_code == 200
    assert trial.json()["sage"]["fallback"] is False
    assert breaker.state == "closed"
    assert client.get("/ready").status_code == 200


def test_failed_trial_reopens_and_only_one_trial_runs_at_a_time() -> None:
    clock = Clock()
    breaker = CircuitBreaker(failure_threshold=1, reset_seconds=10, clock=clock)
    breaker.record_failure(ConnectionError())
    with pytest.raises(CircuitOpenError):
        breaker.check()
    clock.now += 10
    breaker.check()  # the trial
    with pytest.raises(CircuitOpenError):
        breaker.check()  # a second caller while the trial runs
    breaker.record_failure(TimeoutError())
    assert breaker.state == "open"
    clock.now += 10
    breaker.check()
    breaker.record_success()
    assert breaker.state == "closed"


def test_client_errors_do_not_count_as_backend_failures() -> None:
    request = httpx.Request("POST", "http://upstream/v1/chat/completions")
    bad_request = openai.BadRequestError("bad", response=httpx.Response(400, request=request), body=None)
    server_error = openai.InternalServerError("boom", response=httpx.Response(500, request=request), body=None)
    assert not is_backend_failure(bad_request)
    assert not is_backend_failure(ValueError("a bug of ours"))
    assert is_backend_failure(server_error)
    assert is_backend_failure(openai.APITimeoutError(request=request))
    breaker = CircuitBreaker(failure_threshold=1)
    breaker.record_failure(bad_request)
    assert breaker.state == "closed"


def test_a_cancelled_trial_does_not_leave_the_breaker_stuck() -> None:
    clock = Clock()
    breaker = CircuitBreaker(failure_threshold=1, reset_seconds=5, clock=clock)
    breaker.record_failure(ConnectionError())
    clock.now += 5
    breaker.check()
    breaker.record_failure(KeyboardInterrupt())  # what generate_answer records for a cancelled call
    breaker.check()  # the next trial is allowed
