"""Retrieval over the project's own documentation (the gateway's default corpus), in English and Chinese.

The docs are small, so they are indexed afresh each run (seconds). Each labelled question
(`bench/data/docs_questions_zh.jsonl`: `question`, `lang`, `targets` (acceptable pages), `answer`) is searched
as the gateway searches it (`Searcher`: nothing embedded in lexical mode), with its default thresholds and top-k:
a hit is a kept passage from a target page, and an answer hit one that also contains the answer string.
Off-topic questions (`bench/data/docs_offtopic.jsonl`, `lang` ending in `-offtopic`, no targets) should get no
passage at all; the "no passage" column says how many did.
"""

import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.quality.corpus import gateway_build_config
from bench.quality.retrieval import Searcher
from config.sections import RetrievalConfig
from config.settings import PROJECT_DOCS
from ingest.hybrid import Relevance
from ingest.index import VectorEmbedder, build_index
from ingest.lexical import mostly_chinese

DATA = Path(__file__).resolve().parents[1] / "data"
DEFAULT_DOCS_QUESTIONS = (DATA / "docs_questions_zh.jsonl", DATA / "docs_offtopic.jsonl")
OFF_TOPIC = "-offtopic"


@dataclass(frozen=True)
class DocsOutcome:
    lang: str
    question: str
    page_hit: bool
    answer_hit: bool
    kept: int


def run_docs_questions(embedder: VectorEmbedder, paths: Sequence[Path] = DEFAULT_DOCS_QUESTIONS) -> list[DocsOutcome]:
    lines = [line for path in paths for line in path.read_text(encoding="utf-8").splitlines()]
    questions = [json.loads(line) for line in lines if line.strip()]
    defaults = RetrievalConfig()
    relevance = Relevance(defaults.min_score, defaults.min_coverage)
    with tempfile.TemporaryDirectory(prefix="bench-docs-") as folder:
        searcher = Searcher(build_index(PROJECT_DOCS, Path(folder), embedder, gateway_build_config()), embedder)
        outcomes = []
        for q in questions:
            mode = defaults.chinese_mode if mostly_chinese(q["question"]) else defaults.mode
            hits = searcher.search(q["question"], defaults.top_k, mode, relevance)
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
    """A row per language, one for all on-topic questions, then a row per off-topic set."""
    on_topic = [o for o in outcomes if not o.lang.endswith(OFF_TOPIC)]
    groups = [(lang, [o for o in on_topic if o.lang == lang]) for lang in sorted({o.lang for o in on_topic})]
    groups.append(("all", on_topic))
    off_langs = sorted({o.lang for o in outcomes} - {o.lang for o in on_topic})
    groups += [(lang, [o for o in outcomes if o.lang == lang]) for lang in off_langs]
    rows: list[list[object]] = []
    for lang, members in groups:
        off = lang.endswith(OFF_TOPIC)
        rows.append(
            [
                lang,
                len(members),
                "-" if off else sum(o.page_hit for o in members) / len(members),
                "-" if off else sum(o.answer_hit for o in members) / len(members),
                sum(o.kept for o in members) / len(members),
                sum(o.kept == 0 for o in members),
            ]
        )
    return rows


DOCS_HEADERS = (
    "lang",
    "questions",
    "target page kept",
    "answer passage kept",
    "passages per question",
    "no passage",
)
