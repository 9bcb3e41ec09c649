"""The ordered intent rules, as data: first match wins, no match means `chat`.

Patterns are matched case-insensitively against the user's latest message. Exclusions come first so that the
well-known false positives of naive patterns ("design a system prompt", "how do I configure ...") never reach
the workflow rule.
"""

import re
from dataclasses import dataclass
from typing import Literal

Intent = Literal["workflow", "chat", "casual"]


@dataclass(frozen=True)
class IntentRule:
    """One row of the table: if `pattern` matches, the intent is `intent` with `confidence`."""

    name: str
    intent: Intent
    pattern: str
    confidence: float


DEFAULT_RULES: tuple[IntentRule, ...] = (
    IntentRule(
        "question-about-designing",
        "chat",
        r"\b(how (do|can|should) (i|we|you)|what is|explain|why)\b.*\b(design|build|make|configure|create)\b",
        0.8,
    ),
    IntentRule("system-prompt", "chat", r"\bsystem prompt\b", 0.8),
    IntentRule("study-plan", "chat", r"\b(study|travel|meal|workout|business) plan\b", 0.8),
    IntentRule(
        "pipeline-request",
        "workflow",
        r"\b(build|create|generate|design|make|compose|set up)\b.{0,40}\b(pipeline|workflow|dag)\b"
        r"|\b(pipeline|workflow)\s*:",
        0.9,
    ),
    IntentRule("pipeline-request-zh", "workflow", r"(构建|创建|生成|设计|搭建).{0,12}(流水线|工作流|管道)", 0.9),
    IntentRule(
        "greeting",
        "casual",
        r"^\s*(hi|hello|hey|thanks|thank you|good (morning|afternoon|evening)|你好|谢谢|早上好)[\s!.,。！]*$",
        0.9,
    ),
)


def classify(text: str, rules: tuple[IntentRule, ...] = DEFAULT_RULES) -> tuple[Intent, float, str]:
    """Return `(intent, confidence, rule name)` for `text`; `chat` with low confidence when nothing matched."""
    for rule in rules:
        if re.search(rule.pattern, text, flags=re.IGNORECASE | re.DOTALL):
            return rule.intent, rule.confidence, rule.name
    return "chat", 0.5, "default"
