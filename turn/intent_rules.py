"""The ordered intent rules, kept as data in `turn/data/intent_rules.json` (or a file the operator names).

First match wins; no match means `chat` (answer from the documentation) with a low confidence. Questions about
building things ("how do I design a recommender system?") and known false positives ("design a system prompt",
"make a study plan") are matched by `chat` rules placed before the workflow rules. In a session that already has
a pipeline, an edit instruction ("add a reranker before the generator") is a workflow refinement.

Two small mechanisms keep the rows short. The text is normalised before matching (`normalise`), so a row writes
`?` once rather than `[?？]`. And a vocabulary used by several rows (greetings, build verbs, pipeline nouns) is
named once under `terms` (a regex, or a list of alternatives) and written `{name}` in a pattern (`expand_terms`), so
the rows cannot drift apart.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from turn.state import Intent

DEFAULT_RULES_PATH = Path(__file__).parent / "data" / "intent_rules.json"
NO_MATCH_CONFIDENCE = 0.5
REFINEMENT_RULE = "workflow-refinement"
TERM_REFERENCE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
"""`{name}` in a pattern; a regex quantifier (`{2}`, `{0,60}`) starts with a digit, so it is never taken for one."""
CURLY_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def normalise(text: str) -> str:
    """The text the rules see: NFKC (full-width `？！，：～` and letters become ASCII), straight quotes, one space.

    Chinese input methods type full-width punctuation and phones type curly apostrophes; normalising once means
    the table need not spell every character twice.
    """
    return " ".join(unicodedata.normalize("NFKC", text).translate(CURLY_QUOTES).split())


def expand_terms(pattern: str, terms: dict[str, str]) -> str:
    """`pattern` with each `{name}` replaced by `(?:term)`; an unknown name is an error, not a literal match."""

    def term(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in terms:
            raise ValueError(f"intent rules: pattern refers to undefined term {{{name}}}")
        return f"(?:{terms[name]})"

    return TERM_REFERENCE.sub(term, pattern)


class RuleRow(BaseModel):
    """One row of the rule file, validated so that a bad operator file fails at start with a clear message."""

    model_config = ConfigDict(extra="forbid")
    name: str = REFINEMENT_RULE
    intent: Intent
    pattern: str
    confidence: float


class RuleFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    description: str = ""
    terms: dict[str, str | list[str]] = {}
    """Named regex fragments; a list is a set of alternatives (one vocabulary entry per item, so it diffs line by
    line). A term may use the terms defined before it."""
    rules: list[RuleRow]
    refinement: RuleRow

    def expanded_terms(self) -> dict[str, str]:
        terms: dict[str, str] = {}
        for name, fragment in self.terms.items():
            terms[name] = expand_terms(fragment if isinstance(fragment, str) else "|".join(fragment), terms)
        return terms


@dataclass(frozen=True)
class IntentRule:
    """One row of the table: if `pattern` matches, the intent is `intent` with `confidence`."""

    name: str
    intent: Intent
    pattern: re.Pattern[str]
    confidence: float

    @classmethod
    def from_row(cls, row: RuleRow, terms: dict[str, str] | None = None) -> "IntentRule":
        pattern = expand_terms(row.pattern, terms or {})
        return cls(row.name, row.intent, re.compile(pattern, re.IGNORECASE | re.DOTALL), row.confidence)


@dataclass(frozen=True)
class IntentRules:
    rules: tuple[IntentRule, ...]
    refinement: IntentRule

    @classmethod
    def load(cls, path: Path = DEFAULT_RULES_PATH) -> "IntentRules":
        table = RuleFile.model_validate_json(path.read_text(encoding="utf-8"))
        terms = table.expanded_terms()
        refinement = IntentRule.from_row(table.refinement.model_copy(update={"name": REFINEMENT_RULE}), terms)
        return cls(tuple(IntentRule.from_row(row, terms) for row in table.rules), refinement)

    def classify(self, text: str, *, has_workflow: bool = False) -> tuple[Intent, float, str]:
        """Return `(intent, confidence, rule name)` for the user's latest message (matched after `normalise`)."""
        text = normalise(text)
        if has_workflow and self.refinement.pattern.search(text):
            return self.refinement.intent, self.refinement.confidence, self.refinement.name
        for rule in self.rules:
            if rule.pattern.search(text):
                return rule.intent, rule.confidence, rule.name
        return "chat", NO_MATCH_CONFIDENCE, "default"


@cache
def load_intent_rules(path: Path | None = None) -> IntentRules:
    """The operator's rule table, or the packaged one; read and compiled once per file (it is configuration)."""
    return IntentRules.load(path) if path is not None else IntentRules.load()
