"""The model as a fact extractor: it reads one user message and answers under a JSON schema whose relation field
is the closed vocabulary of `PREDICATES`, plus free-text attributes; every answer is checked against the
message before it is kept, because a small model invents ("user works at 羽毛球").

Checks: the subject is the user or a name the message contains; the value occurs in the message; a relation
between entities names something the message contains on both ends; nothing is taken from a message that is
only questions.
"""

import logging
from typing import Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.constants import TAG_NOSTREAM
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from memory.facts.records import PREDICATES, USER, Assert, FactChange, Retract, normal
from memory.facts.rules import states_nothing

logger = logging.getLogger(__name__)
RelationName = Literal[tuple(PREDICATES)]  # type: ignore[valid-type]


class ExtractedRelation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subject: str = Field(max_length=60, description="'user' for the speaker, or a name the message uses")
    relation: RelationName  # type: ignore[valid-type]
    object: str = Field(max_length=80, description="the value or name, as the message writes it")


class ExtractedAttribute(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subject: str = Field(max_length=60)
    attribute: str = Field(max_length=40, description="a short noun such as 'dog's name' or 'favourite food'")
    value: str = Field(max_length=80)


class Extraction(BaseModel):
    """What the extractor answers for one message."""

    model_config = ConfigDict(extra="forbid")
    relations: list[ExtractedRelation] = Field(default_factory=list, max_length=12)
    attributes: list[ExtractedAttribute] = Field(default_factory=list, max_length=12)
    forget: list[RelationName] = Field(default_factory=list, max_length=6)  # type: ignore[valid-type]


SCHEMA = {"type": "json_schema", "json_schema": {"name": "facts", "schema": Extraction.model_json_schema()}}
PROMPT = (
    "Extract the facts the user STATES in the message (not questions, not requests). The speaker is 'user'. "
    "relations: the subject, one of the allowed relations, and the object copied exactly from the message. "
    "attributes: other facts as a short attribute name and its value copied from the message. "
    "forget: relations the user asks you to forget. Reply with JSON; empty lists when there is nothing."
)


def mentioned(name: str, text: str) -> bool:
    return normal(name) in normal(text)


def checked(extraction: Extraction, text: str) -> list[FactChange]:
    """The extraction's facts that the message supports (see the module docstring); the rest are logged."""
    changes: list[FactChange] = []
    rows = [(r.subject, r.relation, r.object) for r in extraction.relations]
    rows += [(a.subject, normal(a.attribute), a.value) for a in extraction.attributes]
    for subject, predicate, obj in rows:
        subject = USER if normal(subject) in ("user", "i", "me", "我") else subject.strip()
        obj = obj.strip().rstrip(".。")
        if not obj or not predicate or (subject != USER and not mentioned(subject, text)) or not mentioned(obj, text):
            logger.info("memory extractor: dropped a fact the message does not support")
            continue
        changes.append(Assert(subject, predicate, obj, said=text))
    changes += [Retract(USER, name, said=text) for name in extraction.forget]
    return changes


class LlmFactExtractor:
    """Facts from the chat model, off the answer's path (the call is tagged `nostream`)."""

    def __init__(self, model: BaseChatModel) -> None:
        self.model = model

    async def changes(self, text: str) -> list[FactChange]:
        if states_nothing(text):
            return []
        reply = await self.model.bind(response_format=SCHEMA, temperature=0, max_tokens=400).ainvoke(
            [SystemMessage(PROMPT), HumanMessage(text)], config={"tags": [TAG_NOSTREAM]}
        )
        try:
            extraction = Extraction.model_validate_json(reply.text)
        except ValidationError as error:
            # A small model may run past its token budget in a free-text value and leave the JSON unfinished (the
            # string lengths of the schema bound it where the backend enforces them). The turn keeps the rules'
            # facts; that the model's were unusable is said, not raised from a background task.
            logger.warning(
                "memory extractor: the model's answer is no valid extraction (%s)", error.errors()[0]["type"]
            )
            return []
        return checked(extraction, text)
