"""The intent rule table against a labelled set of English and Chinese utterances."""

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from graph.routing import route_by_intent
from turn.intent_rules import IntentRules
from turn.state import ROUTE_OF_INTENT, TurnState

TABLE = json.loads((Path(__file__).parents[1] / "data" / "intent_table.json").read_text(encoding="utf-8"))
KNOWN_FALSE_POSITIVES = [
    "design a system prompt for me",
    "how do I design a recommender system?",
    "make a study plan",
    "how do I configure the gateway",
    "如何使用 SAGE",
]


def test_routing_table_accuracy(report_figure: Callable[[str], None]) -> None:
    rules = IntentRules.load()
    assert len(TABLE) >= 40
    wrong = [(text, expected, rules.classify(text)) for text, expected in TABLE if rules.classify(text)[0] != expected]
    accuracy = 1 - len(wrong) / len(TABLE)
    report_figure(f"intent routing accuracy = {accuracy:.3f} over {len(TABLE)} utterances; wrong: {wrong}")
    assert accuracy >= 0.95, wrong


@pytest.mark.parametrize("text", KNOWN_FALSE_POSITIVES)
def test_known_false_positives_of_naive_patterns_route_to_chat(text: str) -> None:
    assert IntentRules.load().classify(text)[0] == "chat"


def test_edit_instructions_refine_only_when_the_session_has_a_pipeline() -> None:
    rules = IntentRules.load()
    assert rules.classify("add a reranker before the generator", has_workflow=True)[2] == "workflow-refinement"
    assert rules.classify("add a reranker before the generator", has_workflow=False)[0] == "chat"
    assert rules.classify("删除重排序", has_workflow=True)[0] == "workflow"


def test_rules_are_configuration(tmp_path: Path) -> None:
    custom = tmp_path / "rules.json"
    custom.write_text(
        json.dumps(
            {
                "rules": [{"name": "x", "intent": "workflow", "confidence": 1, "pattern": "^flow$"}],
                "refinement": {"intent": "workflow", "confidence": 1, "pattern": "^never$"},
            }
        )
    )
    assert IntentRules.load(custom).classify("flow") == ("workflow", 1.0, "x")


@pytest.mark.parametrize(
    ("intent", "node"), [("workflow", "generate_workflow"), ("chat", "retrieve"), ("casual", "generate_answer")]
)
def test_route_by_intent(intent: str, node: str) -> None:
    assert route_by_intent(TurnState(intent=intent, route=ROUTE_OF_INTENT[intent])) == node


async def test_optional_llm_classifier_labels_what_no_rule_matched_and_is_never_streamed() -> None:
    from langchain_core.messages import HumanMessage
    from langgraph.checkpoint.memory import InMemorySaver

    from graph.builder import build_graph
    from tests.fakes import fake_chat, fake_resources
    from turn.context import GatewayContext

    model = fake_chat('{"intent": "casual", "reason": "small talk"}', "Sure thing!")
    resources = fake_resources(model, intent_classifier=True)
    graph = build_graph(resources).compile(checkpointer=InMemorySaver())
    streamed = []
    async for chunk, metadata in graph.astream(
        {"messages": [HumanMessage("the weather is lovely today")]},
        {"configurable": {"thread_id": "t"}},
        context=GatewayContext(session_id="t"),
        stream_mode="messages",
    ):
        streamed.append((metadata["langgraph_node"], chunk.content))
    state = (await graph.aget_state({"configurable": {"thread_id": "t"}})).values
    assert (state["intent"], state["intent_rule"]) == ("casual", "llm-classifier")
    assert {node for node, _ in streamed} == {"generate_answer"}  # the classifier's JSON never reached the stream
    assert "".join(text for _, text in streamed) == "Sure thing!"


async def test_rules_win_without_asking_the_classifier() -> None:
    from langchain_core.messages import HumanMessage
    from langgraph.runtime import Runtime

    from nodes.classify_intent import classify_intent
    from tests.fakes import FailingChatModel
    from turn.context import GatewayContext
    from turn.state import TurnState

    state = TurnState(messages=[HumanMessage("hello")])
    runtime = Runtime(context=GatewayContext())
    classifier = FailingChatModel(messages=iter([]))
    result = await classify_intent(state, runtime, rules=IntentRules.load(), classifier=classifier)
    assert (result["intent"], result["intent_rule"]) == ("casual", "greeting")
