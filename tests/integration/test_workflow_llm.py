"""The workflow generator's LLM path on the real embedded model, over the shipped prompt set."""

import json
from collections.abc import Callable
from pathlib import Path

from config.settings import Settings
from graph.resources import open_models
from workflows.catalogue import load_catalogue
from workflows.generator import design_pipeline
from workflows.validation import validate_pipeline

PROMPTS = Path(__file__).parents[1] / "data" / "workflow_prompts.json"


async def test_at_least_8_of_10_prompts_give_a_valid_pipeline_through_the_llm(
    tmp_path: Path, report_figure: Callable[[str], None]
) -> None:
    settings = Settings(SAGE_GATEWAY_DATA_DIR=tmp_path, SAGE_LOCAL_PARALLEL=1, SAGE_GATEWAY_AUTO_INDEX=False)
    prompts = json.loads(PROMPTS.read_text(encoding="utf-8"))
    assert len(prompts) == 10
    catalogue = load_catalogue()
    async with open_models(settings) as models:
        results = [await design_pipeline(models.chat_model, catalogue, prompt) for prompt in prompts]
    for result in results:
        assert validate_pipeline(result.pipeline, catalogue) == []  # every answer is valid, either way
    by_llm = sum(result.source == "llm" for result in results)
    first_try = sum(result.source == "llm" and result.attempts == 1 for result in results)
    report_figure(f"workflow LLM path (embedded model): {by_llm}/10 valid ({first_try} on the first attempt)")
    assert by_llm >= 8
