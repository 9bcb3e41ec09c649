"""Retrieval quality of the gateway's RAG index on the Python library reference.

Dense, BM25 and hybrid search side by side, and what the relevance thresholds keep and reject. The corpus is
indexed once with the gateway's own build (cached; see `bench.quality.corpus`). Then, for labelled questions
(`bench/data/pydoc_questions.jsonl`): recall@k and MRR at page level and at answer-passage level, per split; for
off-topic questions (`bench/data/offtopic_questions.jsonl`): how many get no passage under the default thresholds;
a calibration grid of threshold pairs; and a check of the chunks for navigation and code leftovers.

    python -m bench.quality [--corpus DIR] [--questions FILE] [--offtopic FILE] [--split dev|holdout|all]
                            [--k 1 4 10] [--top-k 3] [--cache-dir DIR] [--rebuild]
"""

import argparse
import time
from collections.abc import Sequence
from pathlib import Path

from bench.quality.answers import (
    ANSWER_HEADERS,
    DEFAULT_ANSWERS,
    answer_rows,
    gateway_data_dir,
    load_answer_questions,
    run_answers,
)
from bench.quality.corpus import (
    DEFAULT_CACHE_ROOT,
    DEFAULT_CORPUS,
    cache_dir_for,
    chunk_hygiene,
    gateway_build_config,
    open_corpus_index,
    page_headings,
)
from bench.quality.project_docs import DOCS_HEADERS, docs_rows, run_docs_questions
from bench.quality.questions import (
    DEFAULT_OFFTOPIC,
    DEFAULT_QUESTIONS,
    OffTopicQuestion,
    Question,
    load_offtopic,
    load_questions,
)
from bench.quality.retrieval import MODES, Kept, Ranked, Searcher, kept_under, rank_all, score
from bench.quality.tables import table
from config.sections import RetrievalConfig
from ingest.hybrid import Relevance, SearchMode
from ingest.index import LoadedIndex
from ingest.service import vector_embedder
from llm.embeddings import local_embeddings

CALIBRATION_COSINES = (0.30, 0.35, 0.40, 0.45, 0.50, 0.55)
CALIBRATION_COVERAGES = (0.5, 0.6, 0.7, 0.8, 1.01)
"""1.01: no passage can reach it, so the pair is the cosine threshold alone."""


def _splits(questions: Sequence[Question], wanted: str) -> list[tuple[str, list[Question]]]:
    """The splits to report: one, or each present plus all of them together."""
    if wanted != "all":
        return [(wanted, [q for q in questions if q.split == wanted])]
    present = sorted({q.split for q in questions})
    return [(name, [q for q in questions if q.split == name]) for name in present] + [("all", list(questions))]


def label_problems(loaded: LoadedIndex, questions: Sequence[Question]) -> list[str]:
    """Labels that cannot be scored: a page the index does not have, or an answer no chunk of the page contains
    (the answer-level recall of such a question would be 0 whatever the search did)."""
    by_page: dict[str, list[str]] = {}
    for chunk in loaded.chunks:
        by_page.setdefault(chunk.doc_path, []).append(chunk.text)
    problems = []
    for question in questions:
        texts = by_page.get(question.page)
        if texts is None:
            problems.append(f"page not in the index: {question.page} ({question.question!r})")
        elif not any(question.answered_by(question.page, text) for text in texts):
            problems.append(f"{question.answer!r} is in no chunk of {question.page} ({question.question!r})")
    return problems


def recall_table(
    ranked: dict[SearchMode, list[Ranked]], splits: list[tuple[str, list[Question]]], level: str, cutoffs: list[int]
) -> str:
    """Recall at each cutoff and MRR, per split and mode, at page or answer level."""
    rows: list[list[object]] = []
    for split, members in splits:
        wanted = {id(q) for q in members}
        for mode in MODES:
            ranks = [
                r.page_rank if level == "page" else r.answer_rank for r in ranked[mode] if id(r.question) in wanted
            ]
            scores = score(ranks, cutoffs)
            rows.append([split, mode, scores.n, *(scores.recall[k] for k in cutoffs), scores.mrr])
    return table(["split", "mode", "n", *(f"R@{k}" for k in cutoffs), f"MRR@{max(cutoffs)}"], rows)


def _pct(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.0f}%)" if whole else "-"


def threshold_table(outcomes: Sequence[tuple[str, Kept, Kept]]) -> str:
    """Per mode: the right passage kept at `top_k` with no thresholds and with the defaults, and off-topic rejects."""
    rows: list[list[object]] = []
    for mode, free, gated in outcomes:
        rows.append(
            [
                mode,
                _pct(free.page_kept, free.on_topic),
                _pct(gated.page_kept, gated.on_topic),
                _pct(free.answer_kept, free.on_topic),
                _pct(gated.answer_kept, gated.on_topic),
                _pct(gated.on_topic - gated.any_passage, gated.on_topic),
                _pct(gated.rejected, gated.off_topic),
            ]
        )
    headers = [
        "mode",
        "page kept, no thr.",
        "page kept, defaults",
        "answer kept, no thr.",
        "answer kept, defaults",
        "on-topic with 0 passages",
        "off-topic with 0 passages",
    ]
    return table(headers, rows)


def offtopic_table(searcher: Searcher, offtopic: Sequence[OffTopicQuestion], top_k: int, relevance: Relevance) -> str:
    """Each off-topic question's best candidate scores (hybrid, no thresholds) and what the defaults let through."""
    rows: list[list[object]] = []
    for item in offtopic:
        candidates = searcher.search(item.question, top_k, "hybrid")
        kept = searcher.search(item.question, top_k, "hybrid", relevance)
        best = max(candidates, key=lambda hit: hit.cosine, default=None)
        rows.append(
            [
                item.question,
                item.kind,
                max((hit.cosine for hit in candidates), default=0.0),
                max((hit.coverage for hit in candidates), default=0.0),
                len(kept),
                f"{best.chunk.doc_path} > {best.chunk.heading[-40:]}" if best else "",
            ]
        )
    return table(["off-topic question", "kind", "max cos", "max cov", "kept", "closest passage (by cosine)"], rows)


def _coverage_label(relevance: Relevance | None) -> str:
    if relevance is None:
        return "-"
    return "off" if relevance.min_coverage > 1 else f"{relevance.min_coverage:.2f}"


def calibration_table(
    searcher: Searcher,
    splits: list[tuple[str, list[Question]]],
    offtopic: Sequence[OffTopicQuestion],
    top_k: int,
) -> str:
    """On-topic answer passages kept (per split) against off-topic questions rejected, for each threshold pair.

    Hybrid only: it is the gateway's default mode, and the pair is chosen for it. Read the dev column to choose and
    the holdout column to check the choice did not fit the dev questions; a pair that keeps *more* than no
    thresholds is possible, since a dropped passage lets a lower-ranked relevant one into the `top_k`."""
    rows: list[list[object]] = []
    pairs: list[Relevance | None] = [None]
    pairs += [Relevance(c, v) for c in CALIBRATION_COSINES for v in CALIBRATION_COVERAGES]
    for relevance in pairs:
        outcomes = [kept_under(searcher, members, offtopic, "hybrid", top_k, relevance) for _, members in splits]
        last = outcomes[-1]
        rows.append(
            [
                "-" if relevance is None else f"{relevance.min_cosine:.2f}",
                _coverage_label(relevance),
                *(o.answer_kept / o.on_topic if o.on_topic else 0.0 for o in outcomes),
                last.page_kept / last.on_topic if last.on_topic else 0.0,
                last.rejected / last.off_topic if last.off_topic else 0.0,
            ]
        )
    headers = [
        "min_cos",
        "min_cov",
        *(f"answer kept {name}" for name, _ in splits),
        f"page kept {splits[-1][0]}",
        "off-topic rejected",
    ]
    return table(headers, rows)


def misses_table(ranked: Sequence[Ranked], cutoff: int) -> str:
    rows: list[list[object]] = []
    for r in ranked:
        if r.answer_rank is None or r.answer_rank > cutoff:
            top = r.top[0].chunk if r.top else None
            rows.append(
                [
                    r.question.split,
                    r.question.question[:60],
                    r.question.page,
                    r.page_rank if r.page_rank is not None else "-",
                    r.answer_rank if r.answer_rank is not None else "-",
                    f"{top.doc_path} > {top.heading[-40:]}" if top else "",
                ]
            )
    return table(["split", "question", "page", "page rank", "answer rank", "top passage"], rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder of documents to index")
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS, help="labelled on-topic questions")
    parser.add_argument("--offtopic", type=Path, default=DEFAULT_OFFTOPIC, help="questions the corpus does not answer")
    parser.add_argument("--split", choices=["dev", "holdout", "all"], default="all")
    parser.add_argument("--k", type=int, nargs="+", default=[1, 4, 10], help="recall cutoffs (the largest: depth)")
    parser.add_argument(
        "--top-k", type=int, default=RetrievalConfig().top_k, help="passages the gateway keeps (threshold tables)"
    )
    parser.add_argument("--cache-dir", type=Path, help=f"index cache (default {DEFAULT_CACHE_ROOT}/<corpus>-<hash>)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached index")
    parser.add_argument("--answers", type=Path, default=DEFAULT_ANSWERS, help="questions for the embedded model")
    parser.add_argument("--no-answers", action="store_true", help="skip the embedded model's answers (minutes of CPU)")
    args = parser.parse_args()
    cutoffs = sorted(set(args.k))

    model = local_embeddings(None)
    embedder = vector_embedder(model, model.name, model.dim)
    params = gateway_build_config()
    cache_dir = args.cache_dir or cache_dir_for(args.corpus, params, model.name)
    corpus = open_corpus_index(args.corpus, cache_dir, embedder, params, rebuild=args.rebuild)
    loaded = corpus.loaded
    manifest = loaded.manifest
    build = "built now" if corpus.built_now else "reused"
    if corpus.build_seconds is not None:
        build += f"; build took {corpus.build_seconds:.0f} s wall, {corpus.build_cpu_seconds or 0:.0f} s CPU"
    print(f"# corpus {args.corpus}: {manifest['num_documents']} pages, {manifest['num_chunks']} chunks")
    print(
        f"# index {manifest['index_type']}, model {manifest['embedding']['model']}, chunk_size "
        f"{manifest['chunk_size']}, overlap {manifest['chunk_overlap']}; cache {cache_dir} ({build})"
    )

    questions = load_questions(args.questions)
    offtopic = load_offtopic(args.offtopic)
    splits = _splits(questions, args.split)
    chosen = splits[-1][1]
    for problem in label_problems(loaded, questions):
        print(f"# label problem: {problem}")

    start = time.perf_counter()
    searcher = Searcher(loaded, embedder)
    depth = max(cutoffs)
    ranked = {mode: rank_all(searcher, chosen, mode, depth) for mode in MODES}

    print(f"\n## Retrieval, page level (hit: a passage of the target page), {len(chosen)} questions\n")
    print(recall_table(ranked, splits, "page", cutoffs))
    print("\n## Retrieval, answer level (hit: a passage of the target page containing the answer string)\n")
    print(recall_table(ranked, splits, "answer", cutoffs))

    defaults = RetrievalConfig()
    relevance = Relevance(defaults.min_score, defaults.min_coverage)
    outcomes = [
        (
            mode,
            kept_under(searcher, chosen, offtopic, mode, args.top_k, None),
            kept_under(searcher, chosen, offtopic, mode, args.top_k, relevance),
        )
        for mode in MODES
    ]
    print(
        f"\n## Default thresholds (min_score={defaults.min_score}, min_coverage={defaults.min_coverage}), "
        f"top_k={args.top_k}; {len(offtopic)} off-topic questions\n"
    )
    print(threshold_table(outcomes))
    print("\n## Off-topic questions (hybrid): best candidate scores, passages kept under the defaults\n")
    print(offtopic_table(searcher, offtopic, args.top_k, relevance))
    print(f"\n## Calibration (hybrid, top_k={args.top_k}): answer passage kept vs off-topic rejected\n")
    print(calibration_table(searcher, splits, offtopic, args.top_k))

    cutoff = 4 if 4 in cutoffs else depth
    print(f"\n## Hybrid: questions whose answer passage is not in the top {cutoff}\n")
    print(misses_table(ranked["hybrid"], cutoff))

    hygiene = chunk_hygiene(loaded.chunks, page_headings(args.corpus))
    print(f"\n## Chunk hygiene ({len(loaded.chunks)} chunks)\n")
    print(table(["check", "chunks", "examples"], hygiene.rows()))
    print(f"\n# {time.perf_counter() - start:.1f} s of searching")

    print("\n## The project's docs (default corpus), gateway defaults: English and Chinese questions\n")
    docs = run_docs_questions(embedder)
    print(table(DOCS_HEADERS, docs_rows(docs)))
    for asked in docs:
        if not asked.page_hit:
            print(f"# missed ({asked.lang}): {asked.question}")

    if args.no_answers:
        return
    answer_questions = load_answer_questions(args.answers)
    off_questions = [q.question for q in offtopic if q.kind == "offtopic"][:10]
    print(f"\n## Embedded model answers ({len(answer_questions)} questions, temperature 0, through the gateway)\n")
    on, off = run_answers(gateway_data_dir(DEFAULT_CACHE_ROOT, cache_dir), answer_questions, off_questions)
    print(table(ANSWER_HEADERS, answer_rows(on)))
    said = sum(o.not_covered for o in off)
    declined = sum(o.model_declined and not o.not_covered for o in off)
    print(
        f"\noff-topic answered 'not covered': {said + declined}/{len(off)} ({said} by the gateway, no passage "
        f"relevant; {declined} by the model, from the passages it was given)"
    )
    for outcome in on + off:
        declined = outcome.not_covered or outcome.model_declined
        mark = "ok " if outcome.correct or (outcome.split == "offtopic" and declined) else "BAD"
        print(f"# {mark} {outcome.question[:70]!r} -> {outcome.answer[:110]!r}")


if __name__ == "__main__":
    main()
