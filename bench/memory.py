"""Recall latency of each memory backend with 100 and 10,000 turns stored in one session (SQLite store).

The baseline is `short_term` (a window over the history, no store reads), measured in the same run; the other
backends are shown with their ratio to it. Turns are written through each backend's own `remember`.

    python -m bench.memory [--sizes 100 10000] [--queries 50]
"""

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from pathlib import Path

from langchain_core.messages import AIMessage, HumanMessage

from bench.stats import percentile
from config.settings import Settings
from llm.embeddings import OnnxSentenceEmbeddings
from memory.backends import Turn, build_backends
from memory.store import open_store

PEOPLE = ["Alice", "Bob", "Carol", "Dan", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy"]
COMPANIES = ["Initech", "Acme", "Globex", "Umbrella", "Hooli", "Vandelay", "Wonka", "Stark"]
CITIES = ["Berlin", "Paris", "Tokyo", "Lima", "Oslo", "Cairo", "Austin", "Seoul"]


def synthetic_turn(i: int, rng: random.Random) -> Turn:
    person, company, city = rng.choice(PEOPLE), rng.choice(COMPANIES), rng.choice(CITIES)
    text = rng.choice(
        [
            f"{person}{i} works at {company}.",
            f"{company} is based in {city}.",
            f"My favourite number today is {i}.",
            f"I prefer {rng.choice(['Python', 'Rust', 'Go'])} for project {i}.",
            f"{person}{i} lives in {city} and likes hiking.",
        ]
    )
    return Turn(user=[HumanMessage(text)], answer=AIMessage(f"Noted: {text}"))


async def measure(size: int, queries: int, embeddings: OnnxSentenceEmbeddings) -> list[tuple[str, float, float]]:
    rng = random.Random(size)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(SAGE_GATEWAY_DATA_DIR=Path(tmp))
        async with open_store(settings.storage()) as store:
            backends = build_backends(store, embeddings, window_turns=20, max_tokens=3000, top_k=5)
            turns = [synthetic_turn(i, rng) for i in range(size)]
            history = [m for turn in turns for m in (*turn.user, turn.answer)]
            for name, backend in backends.items():
                start = time.perf_counter()
                for turn in turns:
                    await backend.remember(f"s-{name}", turn)
                write_s = time.perf_counter() - start
                questions = [f"Where does {rng.choice(PEOPLE)}{rng.randrange(size)} work?" for _ in range(queries)]
                await backend.recall(f"s-{name}", questions[0], history)  # warm caches, as a running gateway has
                latencies = []
                for question in questions:
                    start = time.perf_counter()
                    await backend.recall(f"s-{name}", question, history)
                    latencies.append((time.perf_counter() - start) * 1000)
                rows.append((name, statistics.median(latencies), percentile(latencies, 0.99)))
                print(f"#   {name}: wrote {size} turns in {write_s:.1f}s", flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 10_000])
    parser.add_argument("--queries", type=int, default=50)
    args = parser.parse_args()
    embeddings = OnnxSentenceEmbeddings.packaged()
    results = {size: asyncio.run(measure(size, args.queries, embeddings)) for size in args.sizes}
    print(f"# recall latency, {args.queries} questions per cell, baseline short_term in the same run")
    print(f"{'turns':>7}{'backend':>12}{'p50':>11}{'p99':>11}{'p50 vs short_term':>20}")
    for size, rows in results.items():
        baseline = next(p50 for name, p50, _ in rows if name == "short_term")
        for name, p50, p99 in rows:
            print(f"{size:>7}{name:>12}{p50:>9.2f}ms{p99:>9.2f}ms{p50 / baseline:>19.1f}x")


if __name__ == "__main__":
    main()
