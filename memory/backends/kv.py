"""`kv` memory: facts the user states, kept by key (a later statement replaces an earlier one), and lexical
(BM25) recall of past turns.

Facts are found by patterns in English and Chinese ("my name is Ada", "I prefer Python", "我的邮箱是 ...");
the patterns are data (`FACT_PATTERNS`), each naming the key it fills.
"""

import re
from collections import OrderedDict
from typing import Any

from langgraph.store.base import BaseStore, Item
from rank_bm25 import BM25Okapi

from memory.backends.base import Turn
from memory.backends.stored import StoredMemory, all_items, namespace, turn_record

FACT_PATTERNS: tuple[tuple[str, str], ...] = (
    ("name", r"\b(?:my name is|call me|i am called|i'm called)\s+(?P<value>[A-Z][\w-]*(?:\s+[A-Z][\w-]*)?)"),
    ("email", r"\b(?:my e-?mail(?: address)? is)\s+(?P<value>\S+@\S+\.\w+)"),
    ("email", r"我的邮箱(?:地址)?是\s*(?P<value>\S+@\S+\.\w+)"),
    ("name", r"我(?:的名字)?叫\s*(?P<value>[\u4e00-\u9fa5A-Za-z]{1,12})"),
    ("name", r"我的名字是\s*(?P<value>[\u4e00-\u9fa5A-Za-z]{1,12})"),
    ("preference", r"\bi (?:prefer|like to use|would rather use)\s+(?P<value>[^.,;!?\n]{1,60})"),
    ("preference", r"我(?:更)?喜欢(?:用)?\s*(?P<value>[^，。,.!！？?\n]{1,30})"),
    ("location", r"\bi live in\s+(?P<value>[A-Z][\w-]*(?:\s+[A-Z][\w-]*)?)"),
    ("location", r"我住在\s*(?P<value>[\u4e00-\u9fa5A-Za-z]{1,20})"),
    ("job", r"\bi (?:work as|am working as)\s+(?:an?\s+)?(?P<value>[^.,;!?\n]{1,60})"),
    ("employer", r"\bi work (?:at|for)\s+(?P<value>[A-Z][\w&-]*(?:\s+[A-Z][\w&-]*)?)"),
    ("birthday", r"\bmy birthday is (?:on )?(?P<value>[^.,;!?\n]{1,30})"),
)
TOKEN = re.compile(r"[\w@.-]+|[\u4e00-\u9fa5]", re.UNICODE)


def extract_facts(text: str) -> dict[str, str]:
    """Key -> value for every fact pattern that matches (the last match of a key wins)."""
    facts: dict[str, str] = {}
    for key, pattern in FACT_PATTERNS:
        for match in re.finditer(pattern, text, flags=re.IGNORECASE):
            facts[key] = match["value"].strip()
    return facts


def tokens(text: str) -> list[str]:
    """Lower-cased words, and single Han characters (Chinese has no spaces to split on)."""
    return [token.lower().strip(".") for token in TOKEN.findall(text)]


class KeyValueMemory(StoredMemory):
    """User facts by key, plus BM25 over the text of past turns."""

    name = "kv"
    kinds = ("turns", "facts", "meta")
    heading = "Facts the user told you and earlier turns matching the question:"

    def __init__(self, store: BaseStore, **kwargs: Any) -> None:
        super().__init__(store, **kwargs)
        self._rankings: OrderedDict[str, tuple[list[str], BM25Okapi]] = OrderedDict()

    async def remember(self, session_id: str, turn: Turn) -> None:
        record = turn_record(turn)
        await self._append_turn(session_id, record)
        for key, value in extract_facts("\n".join(m.text for m in turn.user)).items():
            fact = {"key": key, "value": value, "text": f"{key}: {value}", "at": record["at"], "said": record["user"]}
            await self.store.aput(namespace(session_id, "facts"), key, fact, index=False)

    async def _recall_lines(self, session_id: str, query: str) -> tuple[list[str], dict[str, Any]]:
        facts = [item.value for item in await all_items(self.store, namespace(session_id, "facts"))]
        items = await self._turns(session_id)
        turns = [item.value for item in items]
        lines = [f"the user's {fact['key']} is {fact['value']}" for fact in facts]
        query_tokens = tokens(query)
        if turns and query_tokens:
            ranking = self._ranking(session_id, items)
            scores = ranking.get_scores(query_tokens)
            best = sorted(range(len(turns)), key=lambda i: -scores[i])[: self.top_k]
            lines += [turns[i]["text"].replace("\n", " / ") for i in best if scores[i] > 0]
        return lines, {"facts": len(facts), "turns_searched": len(turns)}

    def _ranking(self, session_id: str, items: list[Item]) -> BM25Okapi:
        """BM25 over the session's turns, rebuilt only when the turns changed."""
        keys = [item.key for item in items]
        cached = self._rankings.get(session_id)
        if cached is None or cached[0] != keys:
            cached = (keys, BM25Okapi([tokens(item.value["text"]) or ["∅"] for item in items]))
        self._cache(self._rankings, session_id, cached)
        return cached[1]

    async def clear(self, session_id: str) -> None:
        self._rankings.pop(session_id, None)
        await super().clear(session_id)
