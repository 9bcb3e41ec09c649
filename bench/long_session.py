"""A 200-turn session on the embedded default: does it keep answering (no context overflow), and is a fact from
turn 3 still answered correctly at the end?

The user states a few facts early (turn 3: a name and a favourite colour), then talks about other things: small
talk, questions, more statements. Every turn is checked to succeed; at turns 100, 150 and 200 the user asks for
the turn-3 facts. The gateway runs in-process with its default settings (embedded model, `kv` memory, summaries
on), so what is measured is what `make run` serves. Prints one line per checkpoint and a summary table: turns
answered, errors, the largest prompt the model was sent (against its context), and the answers.

    python -m bench.long_session [--turns 200] [--max-tokens 48]
"""

import argparse
import itertools
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from api.app import create_app
from config.settings import Settings

EARLY = [
    "Hi there! I'm planning a trip next spring.",
    "I like long train rides more than flights.",
    "My name is Zoltan and my favourite colour is teal.",
    "I work at Lumenfield as a cartographer.",
]
FILLER = [
    "Can you suggest a name for a grey cat?",
    "What is a good stretch after sitting all day?",
    "Tell me a fun fact about octopuses.",
    "How many minutes should I boil an egg for a soft yolk?",
    "Give me a synonym for 'quick'.",
    "What is the capital of Portugal?",
    "Thanks, that helps.",
    "Recommend a board game for four people.",
    "How do I say 'good morning' in Italian?",
    "What's a quick vegetarian dinner idea?",
    "I went for a run this morning, it was cold.",
    "Name three famous painters.",
    "What is 17 times 3?",
    "Suggest a title for a short story about a lighthouse.",
    "Is tea or coffee better in the afternoon?",
    "My neighbour's dog barks a lot at night.",
]
PROBES = {100, 150}
QUESTION = "Quick check: what is my name, and what is my favourite colour?"


def prompt_for(turn: int, filler: Any, last: int) -> str:
    if turn <= len(EARLY):
        return EARLY[turn - 1]
    if turn in PROBES or turn == last:
        return QUESTION
    return str(next(filler))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--max-tokens", type=int, default=48)
    args = parser.parse_args()
    filler = itertools.cycle(FILLER)
    answers: dict[int, str] = {}
    errors: list[tuple[int, int, str]] = []
    prompt_tokens: list[int] = []
    latencies: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(SAGE_GATEWAY_DATA_DIR=Path(tmp))
        context = settings.capabilities().context_tokens
        with TestClient(create_app(settings)) as client:
            session = client.post("/sessions", json={}).json()["id"]
            for turn in range(1, args.turns + 1):
                body = {
                    "model": "sage-default",
                    "session_id": session,
                    "max_tokens": args.max_tokens,
                    "temperature": 0,
                    "messages": [{"role": "user", "content": prompt_for(turn, filler, args.turns)}],
                }
                start = time.perf_counter()
                response = client.post("/v1/chat/completions", json=body)
                latencies.append(time.perf_counter() - start)
                if response.status_code != 200:
                    errors.append((turn, response.status_code, response.text[:200]))
                    continue
                data = response.json()
                prompt_tokens.append(data["usage"]["prompt_tokens"])
                if turn in PROBES or turn == args.turns:
                    answers[turn] = data["choices"][0]["message"]["content"]
                    print(f"# turn {turn}: {answers[turn]!r}", flush=True)
                elif turn % 25 == 0:
                    print(f"# turn {turn}: ok, prompt {prompt_tokens[-1]} tokens", flush=True)
    print(f"| turns | errors | largest prompt | model context | median turn | turn {args.turns}: name | colour |")
    print("|---|---|---|---|---|---|---|")
    final = answers.get(args.turns, "")
    print(
        f"| {args.turns} | {len(errors)} | {max(prompt_tokens, default=0)} tokens | {context} | "
        f"{statistics.median(latencies):.2f} s | {'Zoltan' in final} | {'teal' in final.lower()} |"
    )
    for turn, answer in sorted(answers.items()):
        print(f"turn {turn}: name {'Zoltan' in answer}, colour {'teal' in answer.lower()}: {answer!r}")
    for error in errors[:5]:
        print("error:", error)


if __name__ == "__main__":
    main()
