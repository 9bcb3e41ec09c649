"""Turn input policy and the answer post-condition, without HTTP."""

import pytest
from langchain_core.messages import AIMessage, HumanMessage

from api.errors import OpenAIError
from api.protocols.openai_chat import ChatCompletionRequest, turn_request
from api.turn_input import TurnRequest, new_messages
from api.turn_result import answer_of


def request(*messages: tuple[str, str], **extra: object) -> ChatCompletionRequest:
    return ChatCompletionRequest.model_validate(
        {"messages": [{"role": role, "content": content} for role, content in messages], **extra}
    )


def turn(body: ChatCompletionRequest, max_tokens_cap: int = 10) -> TurnRequest:
    return turn_request(body, session_id="s", max_tokens_cap=max_tokens_cap)


def test_system_and_developer_messages_become_the_turn_system_prompt() -> None:
    prepared = turn(request(("system", "A"), ("developer", "B"), ("user", "q")))
    assert prepared.system_prompt == "A\n\nB"
    assert [m.content for m in new_messages(prepared.dialogue, [])] == ["q"]


def test_history_prefix_is_not_appended_again_but_a_diverging_history_is() -> None:
    history = [HumanMessage("q1"), AIMessage("a1")]
    same = turn(request(("user", "q1"), ("assistant", "a1"), ("user", "q2")))
    assert [m.content for m in new_messages(same.dialogue, history)] == ["q2"]
    other = turn(request(("user", "x"), ("assistant", "y"), ("user", "q2")))
    assert [m.content for m in new_messages(other.dialogue, history)] == ["x", "y", "q2"]


def test_content_parts_are_joined_and_sampling_fields_carried() -> None:
    prepared = turn(
        ChatCompletionRequest.model_validate(
            {
                "messages": [
                    {"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]}
                ],
                "max_completion_tokens": 5,
                "stop": "x",
                "temperature": 0.5,
            }
        )
    )
    assert prepared.dialogue[0].content == "ab"
    assert prepared.context.model_kwargs() == {"temperature": 0.5, "max_tokens": 5, "stop": ["x"]}


def test_max_tokens_above_the_cap_is_refused() -> None:
    with pytest.raises(OpenAIError) as raised:
        turn(request(("user", "q"), max_tokens=11))
    assert raised.value.status == 400


def test_a_run_without_an_answer_is_a_502_not_a_200() -> None:
    with pytest.raises(OpenAIError) as raised:
        answer_of([HumanMessage("q")])
    assert raised.value.status == 502 and raised.value.code == "no_answer"
    answer = AIMessage("ok")
    assert answer_of([HumanMessage("q"), answer]) is answer


async def test_text_tokens_queued_together_are_read_as_one_and_every_other_event_keeps_its_place() -> None:
    import asyncio

    from api.streaming import AnswerDelta, TurnEvent
    from api.turns import _Reader

    reader = _Reader(bound=100)
    step = {"node": "answer_direct"}
    with_logprobs = TurnEvent(token="!", delta=AnswerDelta(text="!", logprobs={"content": []}))
    for event in (
        TurnEvent(token="Hel"),
        TurnEvent(token="lo"),
        TurnEvent(step=step),
        TurnEvent(token=" there"),
        with_logprobs,
        TurnEvent(token="?"),
    ):
        reader.send(event)
    read = [await reader.next() for _ in range(5)]
    expected = [TurnEvent(token="Hello"), TurnEvent(step=step), TurnEvent(token=" there"), with_logprobs]
    assert read == [*expected, TurnEvent(token="?")]
    assert reader.queue.empty()

    waiting = asyncio.ensure_future(reader.next())  # a lone token goes out as it comes, without waiting for more
    await asyncio.sleep(0)
    reader.send(TurnEvent(token="a"))
    assert await asyncio.wait_for(waiting, 1) == TurnEvent(token="a")
