"""The ordered intent rules, kept as data in `turn/data/intent_rules.json` (or a file the operator names).

First match wins; no match means `chat` (answer from the documentation) with a low confidence. Questions about
building things ("how do I design a recommender system?") and known false positives ("design a system prompt",
"make a study plan") are matched by `chat` rules placed before the workflow rules. In a session that already has
a pipeline, an edit instruction ("add a reranker before the generator") is a workflow refinement.
"""

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from turn.state import Intent

DEFAULT_RULES_PATH = Path(__file__).parent / "data" / "intent_rules.json"
NO_MATCH_CONFIDENCE = 0.5
REFINEMENT_RULE = "workflow-refinement"


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
    rules: list[RuleRow]
    refinement: RuleRow


@dataclass(frozen=True)
class IntentRule:
    """One row of the table: if `pattern` matches, the intent is `intent` with `confidence`."""

    name: str
    intent: Intent
    pattern: re.Pattern[str]
    confidence: float

    @classmethod
    def from_row(cls, row: RuleRow) -> "IntentRule":
        return cls(row.name, row.intent, re.compile(row.pattern, re.IGNORECASE | re.DOTALL), row.confidence)


@dataclass(frozen=True)
class IntentRules:
    rules: tuple[IntentRule, ...]
    refinement: IntentRule

    @classmethod
    def load(cls, path: Path = DEFAULT_RULES_PATH) -> "IntentRules":
        table = RuleFile.model_validate_json(path.read_text(encoding="utf-8"))
        refinement = IntentRule.from_row(table.refinement.model_copy(update={"name": REFINEMENT_RULE}))
        return cls(tuple(IntentRule.from_row(row) for row in table.rules), refinement)

    def classify(self, text: str, *, has_workflow: bool = False) -> tuple[Intent, float, str]:
        """Return `(intent, confidence, rule name)` for the user's latest message."""
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
