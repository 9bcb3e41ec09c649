"""Workflow generation: the LLM path with repair, the template path, validation, refinement, and the routes."""

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import ClientFactory
from tests.fakes import FailingChatModel, fake_chat, fake_models
from workflows.builder import compose_from_template, refine_template
from workflows.catalogue import load_catalogue
from workflows.generator import design_pipeline
from workflows.schema import VisualPipeline
from workflows.validation import has_cycle, validate_pipeline

CATALOGUE = load_catalogue()
GOOD_DRAFT = {
    "name": "PDF question answering",
    "description": "Reads PDFs and answers questions.",
    "steps": [
        {"id": "load", "type": "pdf_source", "label": "Load PDFs"},
        {"id": "split", "type": "text_splitter", "label": "Chunk"},
        {"id": "embed", "type": "embedder", "label": "Embed"},
        {"id": "find", "type": "vector_retriever", "label": "Retrieve"},
        {"id": "ask", "type": "llm_generator", "label": "Answer"},
        {"id": "out", "type": "chat_output", "label": "Reply"},
    ],
    "connections": [
        {"source": "load", "target": "split"},
        {"source": "split", "target": "embed"},
        {"source": "embed", "target": "find"},
        {"source": "find", "target": "ask"},
        {"source": "ask", "target": "out"},
    ],
}
TEMPLATE_PROMPTS = [
    "build a pipeline that reads PDFs, chunks them, retrieves and answers with an LLM",
    "generate a pipeline: load csv, clean, summarise",
    "帮我构建一个数据处理流水线",
    "create a RAG workflow that crawls web pages and pdf files, reranks and answers",
    "design a workflow that filters records by keyword and saves them to a file",
    "a pipeline that indexes my markdown folder into a vector store",
]


def assert_valid(pipeline: VisualPipeline) -> None:
    assert validate_pipeline(pipeline, CATALOGUE) == []
    assert not has_cycle([n.id for n in pipeline.nodes], [(c.source, c.target) for c in pipeline.connections])
    assert {n.type for n in pipeline.nodes} <= set(CATALOGUE.operators)
    assert all(n.config == CATALOGUE.operators[n.type].default_config() | n.config for n in pipeline.nodes)
    assert len({(n.position.x, n.position.y) for n in pipeline.nodes}) == len(pipeline.nodes)  # no overlaps


async def test_llm_path_repairs_bad_json_once_then_accepts_good_json() -> None:
    model = fake_chat('{"name": "broken", "steps": [', json.dumps(GOOD_DRAFT))
    result = await design_pipeline(model, CATALOGUE, "build a PDF question answering pipeline")
    assert (result.source, result.attempts) == ("llm", 2)
    assert_valid(result.pipeline)
    assert [n.type for n in result.pipeline.nodes][0] == "pdf_source"
    assert result.pipeline.connections[0].sourcePort == "out" and result.pipeline.connections[0].targetPort == "in"


async def test_llm_path_rejects_unknown_types_and_cycles_then_falls_back_to_the_template() -> None:
    unknown = {**GOOD_DRAFT, "steps": [*GOOD_DRAFT["steps"][:-1], {"id": "out", "type": "teleporter", "label": "?"}]}
    cyclic = {**GOOD_DRAFT, "connections": [*GOOD_DRAFT["connections"], {"source": "ask", "target": "split"}]}
    model = fake_chat(json.dumps(unknown), json.dumps(cyclic))
    result = await design_pipeline(model, CATALOGUE, TEMPLATE_PROMPTS[0])
    assert result.source == "template"
    assert any("cycle" in error for error in result.errors)
    assert_valid(result.pipeline)


async def test_a_failing_model_falls_back_to_the_template() -> None:
    result = await design_pipeline(FailingChatModel(messages=iter([])), CATALOGUE, TEMPLATE_PROMPTS[1])
    assert result.source == "template"
    assert [n.type for n in result.pipeline.nodes] == [
        "csv_source",
        "data_cleaner",
        "summary_promptor",
        "llm_generator",
        "chat_output",
    ]


@pytest.mark.parametrize("prompt", TEMPLATE_PROMPTS)
def test_template_pipelines_are_valid_dags_of_catalogue_types(prompt: str) -> None:
    assert_valid(compose_from_template(prompt, CATALOGUE))


def test_template_branches_when_several_sources_are_named() -> None:
    pipeline = compose_from_template(TEMPLATE_PROMPTS[3], CATALOGUE)
    targets = {c.target for c in pipeline.connections if c.source in {"web_source", "pdf_source"}}
    assert targets == {"text_splitter"}  # two sources join: a DAG, not a chain


@pytest.mark.parametrize(
    ("change", "check"),
    [
        ({"connections": [{"source": "load", "target": "ghost"}]}, "unknown node"),
        (
            {
                "steps": [
                    {"id": "a", "type": "pdf_source", "label": "A"},
                    {"id": "a", "type": "chat_output", "label": "B"},
                ]
            },
            "",
        ),
    ],
)
def test_validation_names_dangling_ids(change: dict[str, Any], check: str) -> None:
    from workflows.builder import pipeline_from_draft

    pipeline = pipeline_from_draft({**GOOD_DRAFT, **change}, CATALOGUE, source="llm")
    errors = validate_pipeline(pipeline, CATALOGUE)
    assert (check in " ".join(errors)) if check else len({n.id for n in pipeline.nodes}) == 2


def test_refinement_adds_a_reranker_before_the_generator() -> None:
    pipeline = compose_from_template(TEMPLATE_PROMPTS[0], CATALOGUE)
    refined = refine_template(pipeline, "add a reranker before the generator", CATALOGUE)
    assert refined is not None
    assert_valid(refined)
    edges = {(c.source, c.target) for c in refined.connections}
    assert ("reranker", "llm_generator") in edges and ("qa_promptor", "llm_generator") not in edges
    removed = refine_template(refined, "remove the reranker", CATALOGUE)
    assert removed is not None and "reranker" not in {n.type for n in removed.nodes}
    assert_valid(removed)


def pipeline_json(content: str) -> dict[str, Any]:
    match = re.search(r"```json\n(.*?)\n```", content, re.S)
    assert match, content
    return json.loads(match.group(1))


def test_chat_turn_returns_the_pipeline_and_a_follow_up_refines_it(make_client: ClientFactory) -> None:
    client: TestClient = make_client(fake_models(FailingChatModel(messages=iter([]))))  # template path only
    first = client.post(
        "/v1/chat/completions",
        json={"model": "fake-model", "messages": [{"role": "user", "content": TEMPLATE_PROMPTS[0]}]},
    ).json()
    assert first["sage"]["intent"] == "workflow"
    assert first["sage"]["route"] == ["load_memory", "classify_intent", "generate_workflow", "store_memory"]
    workflow = first["sage"]["workflow"]
    assert workflow["source"] == "template"
    assert pipeline_json(first["choices"][0]["message"]["content"]) == workflow["visual_pipeline"]
    session_id = first["session_id"]
    second = client.post(
        "/v1/chat/completions",
        json={
            "model": "fake-model",
            "session_id": session_id,
            "messages": [{"role": "user", "content": "add a reranker before the generator"}],
        },
    ).json()
    types = [n["type"] for n in second["sage"]["workflow"]["visual_pipeline"]["nodes"]]
    assert "reranker" in types and len(types) == len(workflow["visual_pipeline"]["nodes"]) + 1
    assert second["choices"][0]["message"]["content"].startswith("Updated the pipeline")


def test_streamed_workflow_turn_sends_the_explanation_and_the_pipeline_in_the_final_chunk(
    make_client: ClientFactory,
) -> None:
    client = make_client(fake_models(fake_chat(json.dumps(GOOD_DRAFT))))
    response = client.post(
        "/v1/chat/completions",
        json={"model": "fake-model", "stream": True, "messages": [{"role": "user", "content": TEMPLATE_PROMPTS[0]}]},
    )
    frames = [json.loads(line[6:]) for line in response.text.splitlines() if line.startswith("data: {")]
    text = "".join(f["choices"][0]["delta"].get("content", "") for f in frames if f["choices"])
    assert "```json" in text and "PDF question answering" in text
    final = next(f for f in frames if f["choices"] and f["choices"][0]["finish_reason"])
    assert final["sage"]["workflow"]["source"] == "llm"
    assert (
        '"nodes"'
        not in "".join(  # the model's raw JSON was never streamed as tokens
            f["choices"][0]["delta"].get("content", "")[:10] for f in frames if f["choices"]
        )
    )


def test_workflow_route_generates_and_refines(make_client: ClientFactory) -> None:
    client = make_client(fake_models(fake_chat(json.dumps(GOOD_DRAFT))))
    body = client.post("/v1/workflows/generate", json={"prompt": "PDF question answering pipeline"}).json()
    assert body["source"] == "llm" and body["visual_pipeline"]["name"] == "PDF question answering"
    assert "```json" in body["explanation"]
    assert client.post("/v1/workflows/generate", json={"prompt": ""}).status_code == 400
    assert client.post("/v1/workflows/generate", json={"prompt": "x", "session_id": "nope"}).status_code == 404


def test_the_question_goes_to_retrieval_not_through_document_preparation() -> None:
    pipeline = compose_from_template("Build a RAG pipeline that answers questions over PDF files", load_catalogue())
    links = {(c.source, c.target) for c in pipeline.connections}
    assert ("query_source", "vector_retriever") in links
    assert ("pdf_source", "text_splitter") in links
    assert not any(source == "query_source" and target == "text_splitter" for source, target in links)


def test_workflow_route_and_chat_turns_share_the_breaker_and_the_metrics(make_client: ClientFactory) -> None:
    from llm.breaker import CircuitBreaker

    calls: list[int] = []
    model = FailingChatModel(
        messages=iter([]), error_factory=lambda: calls.append(1) or ConnectionError("backend down")
    )
    breaker = CircuitBreaker(failure_threshold=1, reset_seconds=60)
    client = make_client(fake_models(model, breaker=breaker))
    turn = {"model": "fake-model", "messages": [{"role": "user", "content": TEMPLATE_PROMPTS[0]}]}
    assert client.post("/v1/chat/completions", json=turn).json()["sage"]["workflow"]["source"] == "template"
    assert breaker.state == "open" and len(calls) == 1  # the turn's design tried the model through the breaker
    body = client.post("/v1/workflows/generate", json={"prompt": TEMPLATE_PROMPTS[0]}).json()
    assert body["source"] == "template" and len(calls) == 1  # the open breaker answered: no second model call
    metrics = client.get("/metrics").text
    assert 'sage_workflow_designs_total{source="template"} 2.0' in metrics
