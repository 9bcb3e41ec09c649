"""The ordered intent rules, kept as data in `nodes/data/intent_rules.json` (or a file the operator names).

First match wins; no match means `chat` (answer from the documentation) with a low confidence. Questions about
building things ("how do I design a recommender system?") and known false positives ("design a system prompt",
"make a study plan") are matched by `chat` rules placed before the workflow rules. In a session that already has
a pipeline, an edit instruction ("add a reranker before the generator") is a workflow refinement.
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Intent = Literal["workflow", "chat", "casual"]
DEFAULT_RULES_PATH = Path(__file__).parent / "data" / "intent_rules.json"
NO_MATCH_CONFIDENCE = 0.5


@dataclass(frozen=True)
class IntentRule:
    """One row of the table: if `pattern` matches, the intent is `intent` with `confidence`."""

    name: str
    intent: Intent
    pattern: re.Pattern[str]
    confidence: float


@dataclass(frozen=True)
class IntentRules:
    rules: tuple[IntentRule, ...]
    refinement: IntentRule

    @classmethod
    def load(cls, path: Path = DEFAULT_RULES_PATH) -> "IntentRules":
        data = json.loads(path.read_text(encoding="utf-8"))

        def rule(row: dict[str, object], name: str | None = None) -> IntentRule:
            flags = re.IGNORECASE | re.DOTALL
            return IntentRule(
                str(name or row["name"]),
                row["intent"],
                re.compile(str(row["pattern"]), flags),
                float(row["confidence"]),  # type: ignore[arg-type]
            )

        return cls(tuple(rule(row) for row in data["rules"]), rule(data["refinement"], "workflow-refinement"))

    def classify(self, text: str, *, has_workflow: bool = False) -> tuple[Intent, float, str]:
        """Return `(intent, confidence, rule name)` for the user's latest message."""
        if has_workflow and self.refinement.pattern.search(text):
            return self.refinement.intent, self.refinement.confidence, self.refinement.name
        for rule in self.rules:
            if rule.pattern.search(text):
                return rule.intent, rule.confidence, rule.name
        return "chat", NO_MATCH_CONFIDENCE, "default"
