"""Accuracy of the intent rule table on labelled English and Chinese prompts, per class and per language.

Each line of the labelled file is `{"text", "intent", "lang", "split"}`; `split` is `dev` (the half the rules were
tuned on) or `holdout` (written before tuning, evaluated only at the end). The table shows every split present, then
lists the misrouted prompts with the rule that decided them.

    python -m bench.intent_eval [--file PATH] [--rules PATH] [--split dev|holdout]
"""

import argparse
import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict

from turn.intent_rules import IntentRules, load_intent_rules
from turn.state import Intent

DEFAULT_LABELS_PATH = Path(__file__).parent / "data" / "intent_labels.jsonl"
INTENTS: tuple[Intent, ...] = get_args(Intent)
Lang = Literal["en", "zh"]
Split = Literal["dev", "holdout"]
Score = tuple[int, int]
"""`(correct, total)`."""


class LabelledPrompt(BaseModel):
    """One line of the labelled file."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    text: str
    intent: Intent
    lang: Lang
    split: Split = "dev"


class Misrouted(BaseModel):
    model_config = ConfigDict(frozen=True)
    prompt: LabelledPrompt
    got: Intent
    rule: str


def load_labels(path: Path = DEFAULT_LABELS_PATH) -> list[LabelledPrompt]:
    """The labelled prompts of a JSON-lines file (blank lines are skipped)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [LabelledPrompt.model_validate(json.loads(line)) for line in lines if line.strip()]


def score_by(
    rules: IntentRules, rows: Iterable[LabelledPrompt], key: Callable[[LabelledPrompt], str]
) -> dict[str, Score]:
    """`(correct, total)` for each value of `key` over `rows` (a fresh session: no workflow yet)."""
    scores: dict[str, Score] = {}
    for row in rows:
        correct, total = scores.get(key(row), (0, 0))
        scores[key(row)] = (correct + (rules.classify(row.text)[0] == row.intent), total + 1)
    return scores


def evaluate(rules: IntentRules, rows: Iterable[LabelledPrompt]) -> dict[Intent, Score]:
    """`(correct, total)` for each class, keyed by the expected intent; a class with no rows scores `(0, 0)`."""
    scores = score_by(rules, rows, lambda row: row.intent)
    return {intent: scores.get(intent, (0, 0)) for intent in INTENTS}


def misrouted(rules: IntentRules, rows: Iterable[LabelledPrompt]) -> list[Misrouted]:
    """The prompts the rules label wrongly, each with the label it got and the rule that decided it."""
    wrong: list[Misrouted] = []
    for row in rows:
        got, _, rule = rules.classify(row.text)
        if got != row.intent:
            wrong.append(Misrouted(prompt=row, got=got, rule=rule))
    return wrong


def accuracy(score: Score) -> float:
    correct, total = score
    return correct / total if total else 0.0


def min_class_accuracy(per_class: dict[Intent, Score]) -> float:
    """The lowest accuracy of the classes that have prompts (a class absent from the file is not a miss)."""
    return min((accuracy(score) for score in per_class.values() if score[1]), default=0.0)


def table(rules: IntentRules, rows: Sequence[LabelledPrompt]) -> list[str]:
    """One line per class, per language and per class within each language, with the minimum class accuracy."""
    lines = [f"{'group':<18}{'correct':>8}{'total':>7}{'accuracy':>10}"]

    def add(label: str, score: Score) -> None:
        lines.append(f"{label:<18}{score[0]:>8}{score[1]:>7}{accuracy(score):>10.3f}")

    per_class = evaluate(rules, rows)
    for intent, score in per_class.items():
        add(intent, score)
    for lang, score in sorted(score_by(rules, rows, lambda row: row.lang).items()):
        add(f"lang={lang}", score)
    for key, score in sorted(score_by(rules, rows, lambda row: f"{row.lang}/{row.intent}").items()):
        add(f"  {key}", score)
    add("all", (sum(c for c, _ in per_class.values()), sum(t for _, t in per_class.values())))
    lines.append(f"{'min class accuracy':<33}{min_class_accuracy(per_class):>10.3f}")
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--file", type=Path, default=DEFAULT_LABELS_PATH, help="labelled JSON-lines file")
    parser.add_argument("--rules", type=Path, default=None, help="rule table (default: the packaged one)")
    parser.add_argument("--split", choices=get_args(Split), default=None, help="evaluate one split only")
    args = parser.parse_args(argv)
    rules = load_intent_rules(args.rules)
    rows = [row for row in load_labels(args.file) if args.split in (None, row.split)]
    splits = [split for split in get_args(Split) if any(row.split == split for row in rows)]
    for split in splits:
        part = [row for row in rows if row.split == split]
        print(f"# split={split}: {len(part)} prompts")
        print("\n".join(table(rules, part)))
        print()
    if len(splits) > 1:
        print(f"# all splits: {len(rows)} prompts")
        print("\n".join(table(rules, rows)))
        print()
    wrong = misrouted(rules, rows)
    print(f"# misrouted: {len(wrong)}")
    for miss in wrong:
        prompt = miss.prompt
        print(f"[{prompt.split}/{prompt.lang}] expected {prompt.intent}, got {miss.got} ({miss.rule}): {prompt.text}")


if __name__ == "__main__":
    main()
