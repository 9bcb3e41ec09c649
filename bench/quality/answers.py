"""Answers of the embedded model, through the whole gateway, on questions about the Python library reference.

The gateway runs in-process on its embedded default (the packaged chat model and embedding model) over the cached
index of the corpus, and each question is one `POST /v1/chat/completions` at temperature 0, so what is scored is
what a user gets: retrieval, the grounded prompt, the model, and the citation checks. An answer is correct when it
states an expected fact (`expect`, any of them, any case); its citation is right when a passage it cites is from
the target page and contains that fact. An off-topic question is handled right when the gateway says the
documentation does not cover it (it gave the model no passage).
"""

import json
import re
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict

from api.app import create_app
from config.settings import Settings
from turn.prompts import NOT_COVERED

DATA = Path(__file__).resolve().parents[1] / "data"
DEFAULT_ANSWERS = DATA / "pydoc_answers.jsonl"
_CITATION = re.compile(r"\[(\d{1,2})\]")
_DECLINED = re.compile(r"(?:documentation|passages?) (?:does|do) not (?:cover|contain|mention)|没有(?:涉及|提到|包含)")


class AnswerQuestion(BaseModel):
    """A question with the facts a right answer states."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    question: str
    page: str
    expect: list[str]
    split: Literal["dev", "holdout"]

    def states(self, text: str) -> bool:
        lowered = " ".join(text.lower().split())
        return any(fact.lower() in lowered for fact in self.expect)


def load_answer_questions(path: Path = DEFAULT_ANSWERS) -> list[AnswerQuestion]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [AnswerQuestion.model_validate(json.loads(line)) for line in lines if line.strip()]


@dataclass(frozen=True)
class Answered:
    """One question's outcome."""

    question: str
    split: str
    answer: str
    correct: bool
    cited: bool
    """Some citation points at a passage from the target page that holds the fact."""
    citations: int
    precise: int
    """Citations (in the text) of a passage from the target page."""
    invented: int
    """Citation ids the model wrote that were not among the passages (the gateway removed them)."""
    out_of_range: int
    """Citation ids left in the text that point at no passage (must be 0: the checks remove them)."""
    not_covered: bool
    """The gateway said the documentation does not cover the question (it found no relevant passage)."""
    model_declined: bool
    """The model said so itself, from the passages it was given."""
    seconds: float


def _ask(client: TestClient, question: str) -> tuple[dict[str, Any], float]:
    body = {
        "model": "sage-default",
        "temperature": 0,
        "max_tokens": 160,
        "store": False,
        "messages": [{"role": "user", "content": question}],
    }
    start = time.perf_counter()
    response = client.post("/v1/chat/completions", json=body)
    response.raise_for_status()
    return response.json(), time.perf_counter() - start


def _outcome(reply: dict[str, Any], seconds: float, question: str, expected: AnswerQuestion | None) -> Answered:
    answer = reply["choices"][0]["message"]["content"] or ""
    sources = reply["sage"]["sources"]
    ids = [int(n) for n in _CITATION.findall(answer)]
    valid = [n for n in ids if 1 <= n <= len(sources)]
    on_page = [n for n in valid if expected is not None and sources[n - 1]["doc_path"] == expected.page]
    cited = expected is not None and any(expected.states(sources[n - 1]["text"]) for n in on_page)
    return Answered(
        question=question,
        split=expected.split if expected else "offtopic",
        answer=answer,
        correct=expected is not None and expected.states(answer),
        cited=cited,
        citations=len(valid),
        precise=len(on_page),
        invented=int((reply["sage"].get("citations") or {}).get("invented", 0)),
        out_of_range=len(ids) - len(valid),
        not_covered=answer.startswith(tuple(NOT_COVERED.values())),
        model_declined=bool(_DECLINED.search(answer)),
        seconds=seconds,
    )


def gateway_data_dir(cache_root: Path, index_dir: Path) -> Path:
    """A data folder for the in-process gateway whose `index` is the cached corpus index (a link, not a copy),
    kept under the cache so the packaged model is assembled once, not per run."""
    data = cache_root / "gateway-data"
    data.mkdir(parents=True, exist_ok=True)
    link = data / "index"
    if link.is_symlink() or link.exists():
        if link.is_symlink() and link.resolve() == index_dir.resolve():
            return data
        if link.is_symlink():
            link.unlink()
        else:
            shutil.rmtree(link)
    link.symlink_to(index_dir.resolve(), target_is_directory=True)
    return data


def run_answers(
    data_dir: Path, questions: Sequence[AnswerQuestion], offtopic: Sequence[str]
) -> tuple[list[Answered], list[Answered]]:
    """Ask every question through a gateway on its embedded default; returns on-topic and off-topic outcomes."""
    settings = Settings(
        SAGE_GATEWAY_DATA_DIR=data_dir,
        SAGE_GATEWAY_AUTO_INDEX=False,
        SAGE_LOCAL_PARALLEL=1,
        SAGE_GATEWAY_TURN_TIMEOUT_SECONDS=600,
        SAGE_CHAT_TIMEOUT_SECONDS=600,
    )
    with TestClient(create_app(settings)) as client:
        on_topic = [_outcome(*_ask(client, q.question), q.question, q) for q in questions]
        off_topic = [_outcome(*_ask(client, q), q, None) for q in offtopic]
    return on_topic, off_topic


def answer_rows(outcomes: Sequence[Answered]) -> list[list[object]]:
    """Per split: answers right, answers whose citation points at the fact, citation precision, invented ids."""
    rows: list[list[object]] = []
    for split in sorted({o.split for o in outcomes}) + ["all"]:
        members = [o for o in outcomes if split in ("all", o.split)]
        citations = sum(o.citations for o in members)
        rows.append(
            [
                split,
                len(members),
                sum(o.correct for o in members),
                sum(o.cited for o in members),
                sum(o.precise for o in members) / citations if citations else 0.0,
                sum(o.invented for o in members),
                sum(o.out_of_range for o in members),
                sum(o.seconds for o in members) / len(members),
            ]
        )
    return rows


ANSWER_HEADERS = (
    "split",
    "questions",
    "correct",
    "cited fact",
    "citation precision",
    "invented (removed)",
    "out of range",
    "s/answer",
)
