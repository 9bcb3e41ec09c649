"""The citation checks applied to a grounded answer as it streams (`turn.citations`)."""

import pytest

from ingest.lexical import term_overlap
from nodes.generate_answer import grounded_stops
from turn.citations import CitationChecker, cited_passages
from turn.prompts import GROUNDED_STOP

PASSAGES = [
    "The gateway listens on port 8000 by default; set SAGE_PORT to change it.",
    "Sessions are stored in SQLite unless SAGE_DATABASE_URL names a PostgreSQL database.",
]


def checked(text: str, *, piece: int = 3, passages: list[str] = PASSAGES) -> tuple[str, CitationChecker]:
    """`text` fed in `piece`-character chunks, as a model streams it."""
    checker = CitationChecker(passages, term_overlap)
    out = "".join(checker.feed(text[i : i + piece]) for i in range(0, len(text), piece)) + checker.close()
    return out, checker


@pytest.mark.parametrize("piece", [1, 3, 7, 1000])
def test_the_result_does_not_depend_on_how_the_stream_is_cut(piece: int) -> None:
    text = "The default port is 8000, and SAGE_PORT changes it [1]. Sessions live in SQLite [2]."
    assert checked(text, piece=piece)[0] == text


def test_an_invented_citation_is_removed_and_counted() -> None:
    out, checker = checked("Hello there [3]. The port is 8000 and SAGE_PORT changes it [1][7].")
    assert out == "Hello there. The port is 8000 and SAGE_PORT changes it [1]."
    assert checker.report.invented == 2 and checker.report.cited == {1}


def test_an_uncited_sentence_a_passage_supports_is_attributed_before_its_full_stop() -> None:
    out, checker = checked("Sessions are stored in SQLite unless SAGE_DATABASE_URL is set.")
    assert out == "Sessions are stored in SQLite unless SAGE_DATABASE_URL is set [2]."
    assert checker.report.attributed == 1 and checker.report.cited == {2}


def test_a_sentence_no_passage_supports_stays_uncited() -> None:
    out, checker = checked("Kangaroos are marsupials found across the whole of Australia.")
    assert out == "Kangaroos are marsupials found across the whole of Australia."
    assert checker.report.cited == set() and checker.report.attributed == 0


def test_a_citation_the_sentence_does_not_rest_on_is_moved_to_the_passage_it_does() -> None:
    out, checker = checked("Set SAGE_PORT to change the default port 8000 [2].")
    assert out == "Set SAGE_PORT to change the default port 8000 [1]."
    assert checker.report.repointed == 1 and checker.report.cited == {1}


def test_a_marker_after_the_full_stop_stays_with_its_sentence() -> None:
    out, _ = checked("The port is 8000 and SAGE_PORT changes it. [1] Sessions live in SQLite. [2]")
    assert out == "The port is 8000 and SAGE_PORT changes it [1]. Sessions live in SQLite [2]."


def test_chinese_sentences_and_full_width_brackets() -> None:
    out, checker = checked("默认端口是 8000。【1】会话保存在 SQLite 中。[9]")
    assert out == "默认端口是 8000 [1]。会话保存在 SQLite 中。"
    assert checker.report.invented == 1


def test_code_blocks_pass_through_untouched() -> None:
    text = "Run this:\n```bash\nSAGE_PORT=9000 make run [5]\n```\nThe port is 8000 and SAGE_PORT changes it [1]."
    out, checker = checked(text)
    assert "SAGE_PORT=9000 make run [5]\n```\n" in out and checker.report.invented == 0


def test_with_no_passages_every_citation_is_invented() -> None:
    out, checker = checked("The port is 8000 [1].", passages=[])
    assert out == "The port is 8000." and checker.report.invented == 1


def test_cited_passages_reads_the_valid_ids_as_written() -> None:
    assert cited_passages("See [1] and [2, 3], not [9] 【2】.", 3) == {1, 2, 3}


def test_a_bracketed_value_is_not_a_citation() -> None:
    out, checker = checked("A timeout is reported as [504] Gateway Timeout.")
    assert "[504]" in out and checker.report.invented == 0


def test_the_gateway_stops_a_grounded_answer_without_dropping_the_clients_stops() -> None:
    assert grounded_stops(None) == list(GROUNDED_STOP)
    assert grounded_stops(["END"]) == ["END", *GROUNDED_STOP]
    assert grounded_stops(["a", "b", "c", "d"]) == ["a", "b", "c", "d"]


def test_a_short_answer_that_cites_nothing_is_attributed_as_a_whole() -> None:
    out, checker = checked("SAGE_PORT")
    assert out == "SAGE_PORT [1]" and checker.report.attributed == 1
    out, _ = checked("Thanks!")
    assert out == "Thanks!"
