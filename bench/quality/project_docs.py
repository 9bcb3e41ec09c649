"""Retrieval over the project's own documentation (the gateway's default corpus), in English and Chinese.

The docs are small, so they are indexed afresh each run (seconds). Each labelled question
(`bench/data/docs_questions_zh.jsonl`: `question`, `lang`, `targets` (acceptable pages), `answer`) is searched
as the gateway searches it, with its default thresholds and top-k: a hit is a kept passage from a target page,
and an answer hit one that also contains the answer string.
"""

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.quality.corpus import gateway_build_config
from config.sections import RetrievalConfig
from config.settings import PROJECT_DOCS
from ingest.hybrid import Relevance, hybrid_search
from ingest.index import VectorEmbedder, build_index
from ingest.lexical import mostly_chinese

DEFAULT_DOCS_QUESTIONS = Path(__file__).resolve().parents[1] / "data" / "docs_questions_zh.jsonl"


@dataclass(frozen=True)
class DocsOutcome:
    lang: str
    question: str
    page_hit: bool
    answer_hit: bool
    kept: int


def run_docs_questions(embedder: VectorEmbedder, path: Path = DEFAULT_DOCS_QUESTIONS) -> list[DocsOutcome]:
    questions = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    defaults = RetrievalConfig()
    relevance = Relevance(defaults.min_score, defaults.min_coverage)
    with tempfile.TemporaryDirectory(prefix="bench-docs-") as folder:
        loaded = build_index(PROJECT_DOCS, Path(folder), embedder, gateway_build_config())
        outcomes = []
        for q in questions:
            vector = embedder.embed([q["question"]])[0]
            mode = defaults.chinese_mode if mostly_chinese(q["question"]) else defaults.mode
            hits = hybrid_search(loaded, q["question"], vector, defaults.top_k, mode=mode, relevance=relevance)
            on_page = [h for h in hits if h.chunk.doc_path in q["targets"]]
            answer = " ".join(q["answer"].lower().split())
            outcomes.append(
                DocsOutcome(
                    lang=q["lang"],
                    question=q["question"],
                    page_hit=bool(on_page),
                    answer_hit=any(answer in " ".join(h.chunk.text.lower().split()) for h in on_page),
                    kept=len(hits),
                )
            )
    return outcomes


def docs_rows(outcomes: list[DocsOutcome]) -> list[list[object]]:
    rows: list[list[object]] = []
    for lang in sorted({o.lang for o in outcomes}) + ["all"]:
        members = [o for o in outcomes if lang in ("all", o.lang)]
        rows.append(
            [
                lang,
                len(members),
                sum(o.page_hit for o in members) / len(members),
                sum(o.answer_hit for o in members) / len(members),
                sum(o.kept for o in members) / len(members),
            ]
        )
    return rows


DOCS_HEADERS = ("lang", "questions", "target page kept", "answer passage kept", "passages per question")
