"""Design a pipeline for a request: the model with schema-constrained JSON, one repair round, then a template.

The model is called through `response_format` (`json_schema`), which OpenAI honours as structured output and
llama.cpp as a grammar. Calls are tagged `nostream`: the JSON is never streamed to the client as the answer.
"""

import json
import logging
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, SystemMessage
from langgraph.constants import TAG_NOSTREAM
from pydantic import ValidationError

from llm.breaker import CircuitBreaker
from workflows.builder import (
    compose_from_template,
    draft_json_schema,
    draft_of,
    pipeline_from_draft,
    refine_template,
)
from workflows.catalogue import Catalogue, Operator
from workflows.prompts import WORKFLOW_REFINE_PROMPT, WORKFLOW_REPAIR_PROMPT, WORKFLOW_SYSTEM_PROMPT
from workflows.schema import VisualPipeline
from workflows.validation import validate_pipeline

logger = logging.getLogger(__name__)
Source = Literal["llm", "template"]


@dataclass
class DesignResult:
    pipeline: VisualPipeline
    source: Source
    attempts: int
    errors: list[str]


def _system_prompt(catalogue: Catalogue) -> str:
    def role(op: Operator) -> str:
        return "source" if not op.inputs else "sink" if not op.outputs else "step"

    lines = [f"- {op.type} - {role(op)} - {op.description}" for op in catalogue.operators.values()]
    return WORKFLOW_SYSTEM_PROMPT.format(operators="\n".join(lines))


def _check(raw: str, catalogue: Catalogue) -> tuple[VisualPipeline | None, list[str]]:
    """Parse and validate one model reply; the errors are what the repair prompt shows the model."""
    try:
        draft = json.loads(raw)
        pipeline = pipeline_from_draft(draft, catalogue, source="llm")
    except json.JSONDecodeError as exc:
        return None, [f"not valid JSON: {exc.msg} at position {exc.pos}"]
    except (KeyError, TypeError, AttributeError) as exc:
        return None, [f"missing or malformed field: {exc}"]
    except ValidationError as exc:
        return None, [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:8]]
    errors = validate_pipeline(pipeline, catalogue)
    if not pipeline.connections and len(pipeline.nodes) > 1:
        errors.append("the steps are not connected")
    return (pipeline if not errors else None), errors


async def design_pipeline(
    chat_model: BaseChatModel,
    catalogue: Catalogue,
    request: str,
    previous: VisualPipeline | None = None,
    *,
    attempts: int = 2,
    breaker: CircuitBreaker | None = None,
) -> DesignResult:
    """The best valid pipeline for `request` (refining `previous` when given); never raises for model trouble.

    Each model call goes through `breaker` when given: while the backend keeps failing, the template answers at
    once instead of waiting on it.
    """
    schema = {"type": "json_schema", "json_schema": {"name": "pipeline", "schema": draft_json_schema(catalogue)}}
    model = chat_model.bind(response_format=schema, temperature=0, max_tokens=700)
    messages: list[AnyMessage] = [SystemMessage(_system_prompt(catalogue))]
    if previous is not None:
        messages.append(SystemMessage(WORKFLOW_REFINE_PROMPT.format(draft=json.dumps(draft_of(previous)))))
    messages.append(HumanMessage(request))
    errors: list[str] = []
    for attempt in range(1, attempts + 1):
        try:
            with breaker.guard() if breaker else nullcontext():
                reply = await model.ainvoke(messages, config={"tags": [TAG_NOSTREAM]})
        except Exception as exc:  # a model that cannot answer leaves the template to do the job
            logger.warning("workflow model call failed: %s", exc)
            errors.append(f"model call failed: {type(exc).__name__}")
            break
        raw = reply.content if isinstance(reply.content, str) else json.dumps(reply.content)
        pipeline, errors = _check(raw, catalogue)
        if pipeline is not None:
            return DesignResult(pipeline, "llm", attempt, [])
        messages += [AIMessage(raw), HumanMessage(WORKFLOW_REPAIR_PROMPT.format(errors="\n".join(errors)))]
    fallback = (refine_template(previous, request, catalogue) if previous else None) or compose_from_template(
        request, catalogue
    )
    return DesignResult(fallback, "template", attempts, errors)


@dataclass(frozen=True)
class WorkflowDesigner:
    """The one designer a process uses, so the `generate_workflow` node and `POST /v1/workflows/generate` call the
    model the same way, through the same circuit breaker."""

    chat_model: BaseChatModel
    catalogue: Catalogue
    breaker: CircuitBreaker | None = None

    async def design(self, request: str, previous: VisualPipeline | None = None) -> DesignResult:
        return await design_pipeline(self.chat_model, self.catalogue, request, previous, breaker=self.breaker)


def explain(pipeline: VisualPipeline, source: Source, refined: bool) -> str:
    """A short human explanation plus the pipeline as a fenced JSON block, for plain chat clients."""
    steps = " → ".join(node.label for node in pipeline.nodes)
    verb = "Updated" if refined else "Designed"
    by = "by the model" if source == "llm" else "from the operator catalogue"
    head = (
        f"{verb} the pipeline **{pipeline.name}** ({by}): {len(pipeline.nodes)} steps, "
        f"{len(pipeline.connections)} connections.\n\nSteps: {steps}."
    )
    return f"{head}\n\n```json\n{pipeline.model_dump_json(indent=2)}\n```"


def workflow_payload(result: DesignResult) -> dict[str, Any]:
    """What the turn state keeps (and the response's `sage.workflow` shows)."""
    return {"visual_pipeline": result.pipeline.model_dump(), "source": result.source, "attempts": result.attempts}
