"""Turn input policy and the answer post-condition, without HTTP."""

import pytest
from langchain_core.messages import AIMessage, HumanMessage

from api.errors import OpenAIError
from api.openai_schema import ChatCompletionRequest
from api.turns import answer_of, prepare_turn


def request(*messages: tuple[str, str], **extra: object) -> ChatCompletionRequest:
    return ChatCompletionRequest.model_validate(
        {"messages": [{"role": role, "content": content} for role, content in messages], **extra}
    )


def test_system_and_developer_messages_become_the_turn_system_prompt() -> None:
    turn = prepare_turn(request(("system", "A"), ("developer", "B"), ("user", "q")), "s", [], max_tokens_cap=10)
    assert turn.system_prompt == "A\n\nB"
    assert [m.content for m in turn.new_messages] == ["q"]


def test_history_prefix_is_not_appended_again_but_a_diverging_history_is() -> None:
    history = [HumanMessage("q1"), AIMessage("a1")]
    same = prepare_turn(request(("user", "q1"), ("assistant", "a1"), ("user", "q2")), "s", history, max_tokens_cap=10)
    assert [m.content for m in same.new_messages] == ["q2"]
    other = prepare_turn(request(("user", "x"), ("assistant", "y"), ("user", "q2")), "s", history, max_tokens_cap=10)
    assert [m.content for m in other.new_messages] == ["x", "y", "q2"]


def test_content_parts_are_joined_and_sampling_fields_carried() -> None:
    turn = prepare_turn(
        ChatCompletionRequest.model_validate(
            {
                "messages": [
                    {"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]}
                ],
                "max_completion_tokens": 5,
                "stop": "x",
                "temperature": 0.5,
            }
        ),
        "s",
        [],
        max_tokens_cap=10,
    )
    assert turn.new_messages[0].content == "ab"
    assert turn.context.sampling_kwargs() == {"temperature": 0.5, "max_tokens": 5, "stop": ["x"]}


def test_max_tokens_above_the_cap_is_refused() -> None:
    with pytest.raises(OpenAIError) as raised:
        prepare_turn(request(("user", "q"), max_tokens=11), "s", [], max_tokens_cap=10)
    assert raised.value.status == 400


def test_a_run_without_an_answer_is_a_502_not_a_200() -> None:
    with pytest.raises(OpenAIError) as raised:
        answer_of({"messages": [HumanMessage("q")], "route_trace": ["load_memory", "fallback"], "error": "boom"})
    assert raised.value.status == 502 and "boom" in raised.value.message
    answer = AIMessage("ok")
    assert answer_of({"messages": [HumanMessage("q"), answer], "route_trace": ["store_memory"]}) is answer
