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
