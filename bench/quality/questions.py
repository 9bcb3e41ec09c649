"""The labelled questions: on-topic ones with the page and an exact answer string, and off-topic ones.

An on-topic line is `{"question", "page", "answer", "split"}`. `page` is the index's `doc_path` of the page that
answers it (relative to the corpus folder, e.g. `functools.html`); `answer` is a short string that the answering
chunk contains (matched case-insensitively), so a hit can be scored at chunk level, not only page level. `split`
is `dev` (may be looked at while tuning) or `holdout` (only for confirming). An off-topic line is `{"question",
"kind"}`, where `kind` says whether it is plainly elsewhere (`offtopic`) or deceptively close to the reference
(`near-miss`: Python third-party tooling, say), since the thresholds must reject both.
"""

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

DATA = Path(__file__).resolve().parents[1] / "data"
DEFAULT_QUESTIONS = DATA / "pydoc_questions.jsonl"
DEFAULT_OFFTOPIC = DATA / "offtopic_questions.jsonl"
Split = Literal["dev", "holdout"]


class Question(BaseModel):
    """A question the corpus answers."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    question: str
    page: str
    answer: str
    split: Split

    def answered_by(self, doc_path: str, text: str) -> bool:
        """Whether a passage is the answer: from the target page and containing the answer string (any case, any
        run of whitespace: a signature may be wrapped across lines in one chunk and not in another)."""
        return doc_path == self.page and _normal(self.answer) in _normal(text)


def _normal(text: str) -> str:
    return " ".join(text.lower().split())


class OffTopicQuestion(BaseModel):
    """A question the corpus does not answer: retrieval should hand the model nothing."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    question: str
    kind: Literal["offtopic", "near-miss"] = "offtopic"


def _lines(path: Path) -> list[object]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_questions(path: Path = DEFAULT_QUESTIONS) -> list[Question]:
    return [Question.model_validate(line) for line in _lines(path)]


def load_offtopic(path: Path = DEFAULT_OFFTOPIC) -> list[OffTopicQuestion]:
    return [OffTopicQuestion.model_validate(line) for line in _lines(path)]
