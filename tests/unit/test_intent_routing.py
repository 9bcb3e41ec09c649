"""The intent rule table against a labelled set of English and Chinese utterances."""

import json
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bench.intent_eval import accuracy, evaluate, load_labels, misrouted
from graph.routing import route_by_intent
from turn.intent_rules import DEFAULT_RULES_PATH, IntentRules, normalise
from turn.state import ROUTE_OF_INTENT, TurnState

LABELS = load_labels()
MIN_CLASS_ACCURACY = 0.95
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


@pytest.mark.parametrize("split", ["dev", "holdout"])
def test_every_class_is_routed_accurately_on_the_labelled_prompts(
    split: str, report_figure: Callable[[str], None]
) -> None:
    """`bench/data/intent_labels.jsonl`: English and Chinese prompts; `dev` was tuned on, `holdout` was not."""
    rules = IntentRules.load()
    rows = [row for row in LABELS if row.split == split]
    per_class = evaluate(rules, rows)
    assert all(total >= 50 for _, total in per_class.values()), per_class
    figures = ", ".join(f"{intent} {accuracy(score):.3f}" for intent, score in per_class.items())
    report_figure(f"intent routing on the {split} split ({len(rows)} prompts): {figures}")
    wrong = [f"{miss.prompt.intent} -> {miss.got} ({miss.rule}): {miss.prompt.text}" for miss in misrouted(rules, rows)]
    assert min(accuracy(score) for score in per_class.values()) >= MIN_CLASS_ACCURACY, wrong


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Hello there, how are you today?", "casual"),
        ("Thanks a lot, that was helpful.", "casual"),
        ("谢谢你的帮助！", "casual"),
        ("你好呀", "casual"),
        ("搭建RAG流水线需要哪些步骤？", "chat"),
        ("how do I build a RAG pipeline?", "chat"),
        ("Hi, how do I configure PostgreSQL?", "chat"),
        ("你好，请问怎么配置PostgreSQL？", "chat"),
        ("帮我搭建一个RAG流水线", "workflow"),
        ("Hi! Build me a workflow that scrapes product pages and summarises reviews", "workflow"),
    ],
)
def test_cases_from_the_issue(text: str, intent: str) -> None:
    assert IntentRules.load().classify(text)[0] == intent


def top_level_alternatives(pattern: str) -> list[str]:
    """`a|b(c|d)|e` -> `["a", "b(c|d)", "e"]`."""
    parts: list[str] = []
    depth, in_class, escaped, start = 0, False, False, 0
    for i, char in enumerate(pattern):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char in "()":
            depth += 1 if char == "(" else -1
        elif char == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
    return [*parts, pattern[start:]]


@pytest.mark.parametrize("term", ["casual_en_phrase", "casual_en_word", "casual_zh"])
def test_each_plain_casual_entry_is_a_greeting_on_its_own(term: str) -> None:
    """A casual token, once matched, is kept: an entry listed after a shorter one it starts with never matches."""
    fragment = json.loads(DEFAULT_RULES_PATH.read_text(encoding="utf-8"))["terms"][term]
    entries = fragment if isinstance(fragment, list) else top_level_alternatives(fragment)
    plain = [entry for entry in entries if re.fullmatch(r"[\w' ]+", entry)]
    rules = IntentRules.load()
    assert len(plain) > 40
    assert [entry for entry in plain if rules.classify(entry)[2] != "greeting"] == []


@pytest.mark.parametrize(
    "text",
    ["ok " * 33 + "x", ":)" * 49 + "x", "哈" * 99 + "x", "thank you " * 10 + "x", "hi, " * 5000 + "?", "帮我" * 10000],
)
def test_no_message_makes_the_rules_backtrack_for_long(text: str) -> None:
    rules = IntentRules.load()
    started = time.perf_counter()
    rules.classify(text)
    assert time.perf_counter() - started < 2.0


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


def test_terms_name_a_vocabulary_once_and_an_unknown_term_fails_at_load(tmp_path: Path) -> None:
    table = {
        "terms": {"noun": ["pipelines?", "workflows?"], "request": "build (a|an) {noun}"},
        "rules": [{"name": "r", "intent": "workflow", "confidence": 0.9, "pattern": "^{request}.{0,3}$"}],
        "refinement": {"intent": "workflow", "confidence": 1, "pattern": "^never$"},
    }
    custom = tmp_path / "rules.json"
    custom.write_text(json.dumps(table))
    rules = IntentRules.load(custom)
    assert rules.classify("Build a workflow!")[2] == "r"
    assert rules.classify("build a pipelines!!!!")[2] == "default"  # {0,3} stays a quantifier
    table["rules"][0]["pattern"] = "{nothing}"
    custom.write_text(json.dumps(table))
    with pytest.raises(ValueError, match="nothing"):
        IntentRules.load(custom)


def test_text_is_normalised_before_matching() -> None:
    assert normalise("  谢谢！ 好的？\u3000Ｈｉ  it\u2019s ok ") == "谢谢! 好的? Hi it's ok"


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

    text = "my cat knocked the plant over"
    assert IntentRules.load().classify(text)[2] == "default"  # no rule knows it: the classifier is asked
    model = fake_chat('{"intent": "casual", "reason": "small talk"}', "Sure thing!")
    resources = fake_resources(model, intent_classifier=True)
    graph = build_graph(resources).compile(checkpointer=InMemorySaver())
    streamed = []
    async for chunk, metadata in graph.astream(
        {"messages": [HumanMessage(text)]},
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
