"""What every store-backed memory backend shares: learning facts from a turn (rules at once, the model in the
background) into the scopes the policy writes, and reading the current facts of the scopes it reads."""

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from memory.background import BackgroundWork
from memory.facts.language import has_han, says_word
from memory.facts.ledger import Fact, FactLedger, Retraction, stale_values
from memory.facts.llm_extractor import LlmFactExtractor
from memory.facts.records import PREDICATES, USER, FactChange, aliases, normal
from memory.facts.rules import extract_changes
from memory.scopes import ScopePolicy, session_scope

logger = logging.getLogger(__name__)


MENTIONS = {
    "email": re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)+|e-?mail|邮箱|邮件", re.IGNORECASE),
    "phone": re.compile(r"\d(?:[\s().-]{0,2}\d){5,}|phone|number|landline|mobile|电话|手机", re.IGNORECASE),
}
"""How a turn mentions a retracted predicate, where its keywords are not precise enough."""


def mentions(text: str, predicate: str) -> bool:
    """Whether `text` talks about `predicate` (its value's shape, or its name and keywords)."""
    pattern = MENTIONS.get(predicate)
    if pattern is not None:
        return pattern.search(text) is not None
    known = PREDICATES.get(predicate)
    words = {*predicate.replace("_", " ").split(), *(known.keywords.split() if known else [])}
    lowered = text.lower()
    return any((word in lowered) if has_han(word) else says_word(lowered, word) for word in words)


@dataclass
class KnownFacts:
    """The current facts a turn may be told, the values it must not be told any more, and what the user asked
    to forget (when)."""

    facts: list[Fact] = field(default_factory=list)
    stale: set[str] = field(default_factory=set)
    retractions: list[Retraction] = field(default_factory=list)

    def may_recall(self, turn: dict[str, Any]) -> bool:
        """A remembered turn may be shown unless it says a stale value, or was said before the user asked to
        forget something it mentions."""
        text = str(turn.get("user") or turn.get("text", ""))
        if self.is_stale(text):
            return False
        said_at = str(turn.get("at", ""))
        return not any(said_at <= r.at and mentions(text, r.predicate) for r in self.retractions)

    def is_stale(self, text: str) -> bool:
        """Whether `text` still says a value that was updated or retracted (as a whole word, or a substring for
        Chinese)."""
        lowered = text.lower()
        for value in self.stale:
            if has_han(value):
                if value in lowered:
                    return True
            elif says_word(lowered, value):
                return True
        return False


class FactMemory:
    """Rules extract what a turn states before the answer of the next turn can need it; the optional model
    extractor adds what the rules missed, in the background, checked against the turn's text."""

    def __init__(
        self,
        ledger: FactLedger,
        policy: ScopePolicy | None = None,
        *,
        extractor: LlmFactExtractor | None = None,
        background: BackgroundWork | None = None,
    ) -> None:
        self.ledger = ledger
        self.policy = policy or ScopePolicy()
        self.extractor = extractor
        self.background = background or BackgroundWork()

    async def learn(self, session_id: str, user: str | None, text: str, *, before: str = "") -> list[FactChange]:
        """Apply what the rules find in `text` (after the user's message `before`) to every written scope; start
        the model extractor, if any."""
        changes = await self._by_full_name(session_id, user, extract_changes(text, before))
        scopes = self.policy.writes(session_id, user)
        for scope in scopes:
            await self.ledger.apply(scope, changes, session_id=session_id, source="rules")
        if self.extractor is not None and scopes and text.strip():
            self.background.start(
                f"extract:{session_id}:{len(text)}:{hash(text)}", self._extract(session_id, user, text, changes)
            )
        return changes

    async def _by_full_name(self, session_id: str, user: str | None, changes: list[FactChange]) -> list[FactChange]:
        """The changes with a person named by first name only ("Fiona's boss is Derek Mallon") said of the full
        name the user gave before ("my new manager is Fiona Baird"), so that a correction replaces the fact instead
        of standing beside it. The known facts are read only when a change is about such a name."""
        if not any(
            " " not in change.subject and not has_han(change.subject) for change in changes if change.subject != USER
        ):
            return changes
        known = await self.known(session_id, user)
        names = {end for fact in known.facts for end in (fact.subject, fact.object) if end != USER}
        full = {normal(first): name for first, name in aliases(names).items()}
        return [replace(c, subject=full.get(normal(c.subject), c.subject)) for c in changes]

    async def _extract(self, session_id: str, user: str | None, text: str, found: Sequence[FactChange]) -> None:
        assert self.extractor is not None
        changes = [change for change in await self.extractor.changes(text) if change not in found]
        for scope in self.policy.writes(session_id, user):
            await self.ledger.apply(scope, changes, session_id=session_id, source="llm")

    async def known(self, session_id: str, user: str | None) -> KnownFacts:
        """The current facts of every read scope (a key held in two scopes: the later value), the stale values
        across them, and the retractions whose value no fact held.

        A retraction of a value the facts held ("forget my phone number" after "my number is 07700 900418")
        hides the turns that say that value: it is a stale value. Only a retraction of something the rules never
        took as a fact hides every older turn that mentions its topic, since nothing else can find them; applied
        to every retraction, that hid "teach my mum to video-call on her 手机" and a daughter's 生日派对."""
        every, retractions = await self.ledger.read(self.policy.reads(session_id, user))
        latest: dict[str, Fact] = {}
        for fact in sorted(every, key=lambda fact: fact.updated_at):
            latest[fact.key] = fact
        current = [fact for fact in latest.values() if not fact.retracted]
        valued = {(normal(fact.subject), fact.predicate) for fact in latest.values() if fact.retracted}
        unvalued = [r for r in retractions if (normal(r.subject), r.predicate) not in valued]
        return KnownFacts(current, stale_values(list(latest.values())), unvalued)

    async def forget_session(self, session_id: str) -> None:
        """Drop the session scope's facts (the user scope's stay: they belong to the user, not the session)."""
        await self.ledger.purge(session_scope(session_id))
