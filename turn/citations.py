"""Citations a reader can trust, applied to an answer as it streams, one sentence at a time.

A small model cites badly: it forgets to, or cites `[5]` when it was given three passages. So the gateway does
not pass its citations on as written. Each finished sentence is checked before it is sent: a citation of a passage
that was not given is removed (and counted), and a sentence that cites nothing but is supported by a passage (most
of its words are in it) is attributed to that passage, the marker placed before its closing punctuation. A sentence
no passage supports stays uncited: an attribution is never guessed. Code blocks pass through untouched.

Holding a sentence until it ends delays the stream by a sentence, not by the answer.
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

Support = Callable[[str, str], float]
"""`support(sentence, passage)`: how much of the sentence the passage backs, from 0 to 1."""

_CITATION = re.compile(r"\s*[\[【]\s*(\d{1,2}(?:\s*[,，]\s*\d{1,2})*)\s*[\]】]")
"""A citation marker: one- or two-digit passage numbers in brackets. `[504]` is a value the answer quotes (a
status code, a year), not a citation, and is left alone."""
_SENTENCE_END = re.compile(
    r"[.!?](?:\s*[\[【][\d\s,，]+[\]】])*\s+(?=[^\s\[【])"
    r"|[。！？](?:\s*[\[【][\d\s,，]+[\]】])*\s*(?=[^\s\[【])"
    r"|\n+"
)
"""Where a sentence ends: after its closing punctuation and any citation markers that follow it ("... it. [2]"),
once the next sentence has begun (so a marker still to come is not cut off)."""
_TRAILING = re.compile(r"([.!?。！？:;：；]*\s*)$")
_FENCE = "```"
MIN_SUPPORT = 0.5
MIN_WORDS = 4


@dataclass
class CitationReport:
    """What the checks did to one answer."""

    cited: set[int] = field(default_factory=set)
    """Passage numbers (from 1) the rendered answer cites."""
    invented: int = 0
    """Citations of passages that were not given, removed."""
    attributed: int = 0
    """Sentences the gateway attributed to a passage because the model cited none."""
    repointed: int = 0
    """Sentences whose citation the gateway moved to the passage that supports them (the cited one did not)."""

    def counts(self) -> dict[str, int]:
        """What the checks changed, as the response's `sage.citations` reports it."""
        return {"invented": self.invented, "repointed": self.repointed, "attributed": self.attributed}


def _substantive(sentence: str) -> bool:
    words = sentence.split()
    han = sum(1 for char in sentence if "\u4e00" <= char <= "\u9fff")
    return (len(words) >= MIN_WORDS or han >= 8) and not sentence.rstrip().endswith(("?", "？"))


class CitationChecker:
    """Feed it the answer's text as it comes; it returns the checked text that may be sent so far."""

    def __init__(self, passages: Sequence[str], support: Support, *, min_support: float = MIN_SUPPORT) -> None:
        self.passages = list(passages)
        self.support = support
        self.min_support = min_support
        self.report = CitationReport()
        self._pending = ""
        self._in_code = False
        self._prose: list[str] = []
        """The checked text outside code blocks so far (what a whole-answer attribution weighs)."""

    def feed(self, text: str) -> str:
        """The sentences `text` completes, checked; the unfinished rest is held back."""
        self._pending += text
        out = []
        while True:
            if self._in_code or self._pending.lstrip().startswith(_FENCE):
                block = self._code_block()
                if block is None:
                    break
                out.append(block)
                continue
            match = _SENTENCE_END.search(self._pending)
            fence = self._pending.find(_FENCE)
            if fence > 0 and (match is None or fence < match.start()):
                out.append(self._sentence(self._pending[:fence]))
                self._pending = self._pending[fence:]
                continue
            if match is None:
                break
            sentence, self._pending = self._pending[: match.end()], self._pending[match.end() :]
            out.append(self._sentence(sentence))
        return "".join(out)

    def close(self) -> str:
        """The rest of the answer, checked. An answer that ends citing nothing (a short one: "os.cpu_count()")
        is attributed as a whole to the passage that supports it, its marker at the end."""
        rest, self._pending = self._pending, ""
        rest = rest if self._in_code or rest.lstrip().startswith(_FENCE) else self._sentence(rest)
        whole = "".join(self._prose).strip()
        if self.report.cited or not self.passages or not whole:
            return rest
        scores = [self.support(whole, passage) for passage in self.passages]
        best = max(range(len(scores)), key=scores.__getitem__)
        if scores[best] < self.min_support:
            return rest
        self.report.attributed += 1
        self.report.cited.add(best + 1)
        return f"{rest.rstrip()} [{best + 1}]" if rest.strip() else f" [{best + 1}]"

    def _sentence(self, text: str) -> str:
        checked = self._check(text)
        self._prose.append(checked)
        return checked

    def _code_block(self) -> str | None:
        """A whole fenced block from the pending text (None while its closing fence has not come)."""
        start = self._pending.find(_FENCE)
        end = self._pending.find(_FENCE, start + len(_FENCE))
        if end < 0:
            self._in_code = True
            return None
        end = self._pending.find("\n", end)
        end = len(self._pending) if end < 0 else end + 1
        self._in_code = False
        block, self._pending = self._pending[:end], self._pending[end:]
        return block

    def _check(self, sentence: str) -> str:
        if not sentence.strip():
            return sentence
        given = [n for match in _CITATION.finditer(sentence) for n in _numbers(match)]
        valid = [n for n in dict.fromkeys(given) if 1 <= n <= len(self.passages)]
        self.report.invented += len(given) - len([n for n in given if 1 <= n <= len(self.passages)])
        bare = _CITATION.sub("", sentence)
        if not self.passages or not _substantive(bare):
            return self._cite(bare, valid)
        scores = [self.support(bare, passage) for passage in self.passages]
        best = max(range(len(scores)), key=scores.__getitem__) + 1
        if scores[best - 1] < self.min_support:
            return self._cite(bare, valid)
        if not valid:
            self.report.attributed += 1
            return self._cite(bare, [best])
        if max(scores[n - 1] for n in valid) < self.min_support:
            self.report.repointed += 1
            return self._cite(bare, [best])
        return self._cite(bare, valid)

    def _cite(self, sentence: str, numbers: Sequence[int]) -> str:
        """The sentence with its citations before its closing punctuation (or at its end)."""
        self.report.cited.update(numbers)
        if not numbers:
            return sentence
        trailing = _TRAILING.search(sentence)
        cut = trailing.start() if trailing else len(sentence)
        markers = "".join(f" [{n}]" for n in numbers)
        return f"{sentence[:cut].rstrip()}{markers}{sentence[cut:]}"


def _numbers(match: re.Match[str]) -> list[int]:
    return [int(n) for n in re.split(r"\s*[,，]\s*", match.group(1))]


def cited_passages(text: str, count: int) -> set[int]:
    """The passage numbers (1 to `count`) an answer's text cites, read as written."""
    return {n for match in _CITATION.finditer(text) for n in _numbers(match) if 1 <= n <= count}
