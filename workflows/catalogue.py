"""The operator catalogue: the steps a pipeline may use, with their ports, config defaults and naming words.

It is data shipped with the package (`workflows/data/operators.json`).
"""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

CATALOGUE_PATH = Path(__file__).parent / "data" / "operators.json"


@dataclass(frozen=True)
class Operator:
    """One catalogue entry: what it is, its ports, its config schema with defaults, and words that name it."""

    type: str
    category: str
    label: str
    description: str
    keywords: tuple[str, ...]
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    config: dict[str, dict[str, Any]]

    def default_config(self) -> dict[str, Any]:
        return {name: spec["default"] for name, spec in self.config.items()}


@dataclass(frozen=True)
class Catalogue:
    operators: dict[str, Operator]
    stage_order: tuple[str, ...]

    def stage(self, type_: str) -> int:
        return self.stage_order.index(self.operators[type_].category)


@cache
def load_catalogue(path: Path = CATALOGUE_PATH) -> Catalogue:
    """The operator catalogue (read once; it is data shipped with the package)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    operators = {
        row["type"]: Operator(
            row["type"],
            row["category"],
            row["label"],
            row["description"],
            tuple(row["keywords"]),
            tuple(row["inputs"]),
            tuple(row["outputs"]),
            row["config"],
        )
        for row in data["operators"]
    }
    return Catalogue(operators, tuple(data["stage_order"]))
