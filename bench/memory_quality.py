"""Is memory right? Scenario conversations (`bench/data/memory_scenarios/*.json`: facts stated, updated and
retracted over 50+ turns, English and Chinese) are replayed into each backend; then probe questions are asked in
a new session of the same user, and what reached the prompt is checked.

Per backend and extractor it prints:
- recall: probes whose current value reached the memory section;
- correctness: recalled with no stale value beside it (after a retraction: the value absent);
- false facts: recalled lines that say a stale (updated or retracted) value, and stored facts whose value the
  user never said (invented);
- leaks: probes of another user of the same key that recalled this user's value;
- prompt tokens spent on memory per probe, and recall latency p50/p99.

    python -m bench.memory_quality [--backends vdb kv graph] [--llm] [--scenarios DIR]

Each row is one split of the scenarios and then all of them: `dev` scenarios were read while the rules were
written or tuned, `holdout` ones (`"split": "holdout"` in the file) were written apart and are only measured, so
their row is the one that says how the rules do on conversations they have not seen.

`--llm` also measures the model extractor (the embedded model, or the configured backend), in the background
as the gateway runs it, waited for after each turn. Code older than user-scope memory (no `user=` argument) is
probed in the session the facts were stated in, which is the best it can do.
"""

import argparse
import asyncio
import inspect
import json
import re
import statistics
import tempfile
import time
from collections.abc import Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage, HumanMessage

from bench.stats import percentile
from config.settings import Settings
from llm.embeddings import OnnxSentenceEmbeddings
from memory.backends import Turn, build_backends
from memory.store import open_store

SCENARIOS = Path(__file__).parent / "data" / "memory_scenarios"
OWNER = "bench-owner"


@dataclass
class Tally:
    probes: int = 0
    recall_probes: int = 0
    recalled: int = 0
    held: int = 0
    """Probes whose value is held in a current fact at all (what recall could reach)."""
    correct: int = 0
    lines: int = 0
    stale_lines: int = 0
    stored: int = 0
    invented: int = 0
    leaks: int = 0
    tokens: list[int] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)


def contains(text: str, value: str) -> bool:
    lowered, needle = text.lower(), value.lower()
    if re.search(r"[\u4e00-\u9fff]", needle):
        return needle in lowered
    latin = r"[^\W\u3400-\u4dbf\u4e00-\u9fff]"  # Han next to a value is no part of it (是139 5712 0846)
    return re.search(rf"(?<!{latin})(?<![@.-]){re.escape(needle)}(?!{latin})(?![@-])", lowered) is not None


def memory_lines(section: str) -> list[str]:
    return [line[2:] for line in section.splitlines() if line.startswith("- ")]


def tokens_of(text: str) -> int:
    han = len(re.findall(r"[\u4e00-\u9fff]", text))
    return (len(text) - han) // 4 + han


def load(directory: Path) -> list[dict[str, Any]]:
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(directory.glob("*.json"))]


async def stored_facts(backend: Any, user: str | None, session_id: str) -> list[tuple[str, str]]:
    """(value, said) of every current fact the backend's fact memory holds for the user (new code only)."""
    facts = getattr(backend, "facts", None)
    if facts is None:
        return []
    known = await facts.known(session_id, user)
    return [(fact.object, fact.said) for fact in known.facts]


def explain(what: str, scenario: dict[str, Any], probe: dict[str, Any], section: str) -> None:
    wanted = f"{probe.get('expect_any')} / reject {probe.get('reject')}"
    print(f"  {what} {scenario['id']} {probe['kind']}: {probe['question']} -> {wanted}")
    print("    " + section.replace("\n", "\n    "))


async def run_scenario(backend: Any, scenario: dict[str, Any], tally: Tally, drain: Any, verbose: bool) -> None:
    scoped = "user" in inspect.signature(backend.recall).parameters
    user, other = (f"{OWNER}:{scenario['id']}", f"{OWNER}:someone-else-{scenario['id']}") if scoped else (None, None)
    told = f"{scenario['id']}-told"
    kwargs: dict[str, Any] = {"user": user} if scoped else {}
    with_before = "before" in inspect.signature(Turn).parameters
    before: list[Any] = []
    for turn in scenario["turns"]:
        said = [HumanMessage(turn["user"])]
        extra = {"before": before} if with_before else {}
        await backend.remember(told, Turn(user=said, answer=AIMessage(turn["assistant"]), **extra), **kwargs)
        before = said
        await drain()
    user_text = "\n".join(turn["user"] for turn in scenario["turns"]).lower()
    facts = await stored_facts(backend, user, told)
    for value, _ in facts:
        tally.stored += 1
        tally.invented += value.lower() not in user_text
    asked = f"{scenario['id']}-asked" if scoped else told
    stale = scenario.get("stale", [])
    for probe in scenario["probes"]:
        start = time.perf_counter()
        section = (await backend.recall(asked, probe["question"], [], **kwargs)).section
        tally.latencies.append((time.perf_counter() - start) * 1000)
        tally.tokens.append(tokens_of(section))
        tally.probes += 1
        rejected = any(contains(section, value) for value in probe.get("reject", []))
        expected = probe.get("expect_any", [])
        if expected:
            tally.recall_probes += 1
            hit = any(contains(section, value) for value in expected)
            tally.held += any(contains(value, wanted) for value, _ in facts for wanted in expected)
            tally.recalled += hit
            tally.correct += hit and not rejected
            if verbose and not (hit and not rejected):
                explain("MISS", scenario, probe, section)
        else:
            tally.correct += not rejected
            if verbose and rejected:
                explain("STALE", scenario, probe, section)
        lines = memory_lines(section)
        tally.lines += len(lines)
        tally.stale_lines += sum(any(contains(line, value) for value in stale) for line in lines)
        if scoped:
            foreign = (await backend.recall(f"{scenario['id']}-other", probe["question"], [], user=other)).section
            tally.leaks += any(contains(foreign, value) for value in expected)


async def measure(
    backend_name: str,
    extractor: str,
    scenarios: Sequence[dict[str, Any]],
    embeddings: Any,
    settings: Settings,
    verbose: bool = False,
) -> Tally:
    tally = Tally()
    with tempfile.TemporaryDirectory() as tmp:
        async with AsyncExitStack() as stack:
            storage = Settings(SAGE_GATEWAY_DATA_DIR=Path(tmp)).storage()
            store = await stack.enter_async_context(open_store(storage))
            options: dict[str, Any] = {"window_turns": 20, "max_tokens": 3000, "top_k": 5}
            parameters = inspect.signature(build_backends).parameters
            if extractor == "llm":
                from graph.resources import open_models

                model = (await stack.enter_async_context(open_models(settings))).chat_model
                options["extractor" if "extractor" in parameters else "graph_extractor"] = model
            backend = build_backends(store, embeddings, **options)[backend_name]
            background = getattr(getattr(backend, "facts", None), "background", None)

            async def drain() -> None:
                if background is not None:
                    await background.drain()

            for scenario in scenarios:
                await run_scenario(backend, scenario, tally, drain, verbose)
    return tally


def merged(tallies: Sequence[Tally]) -> Tally:
    """The tallies of several runs as one (counts added, samples joined)."""
    total = Tally()
    for tally in tallies:
        for item in fields(Tally):
            setattr(total, item.name, getattr(total, item.name) + getattr(tally, item.name))
    return total


def split_of(scenario: dict[str, Any]) -> str:
    """`dev`: the rules were written or tuned while reading it; `holdout`: written apart, only measured."""
    return str(scenario.get("split", "dev"))


def row(name: str, extractor: str, tally: Tally, split: str = "all") -> str:
    recall = tally.recalled / max(1, tally.recall_probes)
    held = tally.held / max(1, tally.recall_probes)
    correct = tally.correct / max(1, tally.probes)
    stale = tally.stale_lines / max(1, tally.lines)
    invented = tally.invented / max(1, tally.stored) if tally.stored else 0.0
    p50 = statistics.median(tally.latencies)
    p99 = percentile(tally.latencies, 0.99)
    return (
        f"| {name} | {extractor} | {split} | {held:.3f} | {recall:.3f} | {correct:.3f} "
        f"| {tally.stale_lines}/{tally.lines} ({stale:.1%}) "
        f"| {tally.invented}/{tally.stored} ({invented:.1%}) | {tally.leaks} | {statistics.mean(tally.tokens):.0f} "
        f"| {p50:.1f} ms | {p99:.1f} ms |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", nargs="+", default=["vdb", "kv", "graph"])
    parser.add_argument("--llm", action="store_true", help="also measure the model extractor")
    parser.add_argument("--scenarios", type=Path, default=SCENARIOS)
    parser.add_argument("--explain", action="store_true", help="print each probe that fails, and what was recalled")
    args = parser.parse_args()
    scenarios = load(args.scenarios)
    facts = sum(len([p for p in s["probes"] if p.get("expect_any")]) for s in scenarios)
    turns = [len(s["turns"]) for s in scenarios]
    probes = sum(len(s["probes"]) for s in scenarios)
    print(f"# {len(scenarios)} scenarios, {min(turns)}-{max(turns)} turns each, {probes} probes ({facts} with a value)")
    embeddings = OnnxSentenceEmbeddings.packaged()
    settings = Settings()
    splits = sorted({split_of(s) for s in scenarios})
    for split in splits:
        print(f"# {split}: {', '.join(s['id'] for s in scenarios if split_of(s) == split)}")
    print(
        "| backend | extractor | scenarios | value held in a fact | fact recall | correctness | stale lines recalled "
        "| invented facts stored "
        "| leaks to another user | memory tokens/probe | recall p50 | recall p99 |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for extractor in ("rules", "llm") if args.llm else ("rules",):
        for name in args.backends:
            tallies = []
            for split in splits:
                chosen = [s for s in scenarios if split_of(s) == split]
                tallies.append(asyncio.run(measure(name, extractor, chosen, embeddings, settings, args.explain)))
                print(row(name, extractor, tallies[-1], split), flush=True)
            if len(splits) > 1:
                print(row(name, extractor, merged(tallies)), flush=True)


if __name__ == "__main__":
    main()
