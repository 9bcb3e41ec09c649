"""Facts memory, below HTTP: updates keep history, retractions leave nothing to recall (not even an old turn
that says the value), questions are not facts, Chinese is recalled lexically, user scope is shared by a user's
sessions and by nobody else, two-hop graph recall, the checked model extractor, and session summaries."""

import json
from typing import Any

import pytest
from langchain_core.embeddings import DeterministicFakeEmbedding
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.store.memory import InMemoryStore

from memory.backends import MemoryBackend, Turn, build_backends
from memory.backends.short_term import ShortTermMemory
from memory.background import BackgroundWork
from memory.facts.language import lexical_tokens
from memory.facts.llm_extractor import LlmFactExtractor
from memory.facts.records import USER, Assert
from memory.scopes import ScopePolicy, user_key
from memory.summary import ConversationSummaries
from tests.fakes import fake_chat

ADA = user_key("owner-1", "ada")
BOB = user_key("owner-1", "bob")
OTHER_KEY = user_key("owner-2", "ada")


def backends(**options: Any) -> dict[str, MemoryBackend]:
    return build_backends(
        InMemoryStore(), DeterministicFakeEmbedding(size=32), window_turns=2, max_tokens=3000, top_k=5, **options
    )


async def tell(memory: MemoryBackend, session_id: str, *texts: str, user: str | None = ADA) -> None:
    for text in texts:
        await memory.remember(session_id, Turn(user=[HumanMessage(text)], answer=AIMessage("Noted.")), user=user)


async def recalled(memory: MemoryBackend, session_id: str, question: str, user: str | None = ADA) -> str:
    return (await memory.recall(session_id, question, [], user=user)).section


@pytest.mark.parametrize("backend", ["vdb", "kv", "graph"])
async def test_a_later_statement_replaces_the_value_and_the_old_one_is_never_recalled(backend: str) -> None:
    memory = backends()[backend]
    await tell(memory, "s1", "I prefer Python for scripting.", "What is the weather like?", "I now prefer Kotlin.")
    section = await recalled(memory, "s2", "Which programming language do I prefer?")
    assert "Kotlin" in section and "Python" not in section


@pytest.mark.parametrize("backend", ["vdb", "kv", "graph"])
async def test_a_retracted_fact_is_not_recalled_from_facts_or_from_old_turns(backend: str) -> None:
    memory = backends()[backend]
    await tell(memory, "s1", "My email is ada@example.org.", "Please forget my email address.")
    assert "ada@example.org" not in await recalled(memory, "s1", "What is my email address?")
    assert "ada@example.org" not in await recalled(memory, "s2", "What is my email address?")


@pytest.mark.parametrize("backend", ["vdb", "kv", "graph"])
@pytest.mark.parametrize(
    ("statement", "retraction", "question", "value"),
    [
        ("Our address is 14 Birch Lane.", "Scratch what I said about my address.", "What's my address?", "Birch"),
        ("我住锦城花园，离地铁很近。", "住址那条你删掉吧。", "我住在哪个小区？", "锦城花园"),
        ("My WeChat is vivguo_88.", "别记我的微信号了", "What's my WeChat ID?", "vivguo_88"),
        ("My cell is 0161 496 0000.", "can you scrap the mobile number I gave you?", "What's my number?", "0161"),
        ("My GitHub is @ada-dev.", "scrub the GitHub handle too", "What's my GitHub?", "@ada-dev"),
    ],
)
async def test_a_forgotten_home_address_or_handle_is_recalled_neither_as_a_fact_nor_as_a_turn(
    backend: str, statement: str, retraction: str, question: str, value: str
) -> None:
    memory = backends()[backend]
    await tell(memory, "s1", statement)
    assert value in await recalled(memory, "s2", question)
    await tell(memory, "s1", retraction)
    assert value not in await recalled(memory, "s2", question)


async def test_forgetting_the_home_address_keeps_the_email_address() -> None:
    memory = backends()["kv"]
    await tell(memory, "s1", "My email is ada@example.org.", "Our address is 14 Birch Lane.", "Forget my address.")
    section = await recalled(memory, "s2", "What's my email?")
    assert "ada@example.org" in section and "Birch" not in section


async def test_a_question_about_a_fact_does_not_overwrite_it() -> None:
    memory = backends()["kv"]
    await tell(memory, "s1", "I prefer Kotlin.", "Which programming language do I prefer now?")
    facts = memory.facts.ledger  # type: ignore[attr-defined]
    from memory.scopes import user_scope

    values = [(fact.predicate, fact.object) for fact in await facts.current(user_scope(ADA))]
    assert values == [("preference", "Kotlin")]


async def test_history_keeps_each_value_with_what_was_said() -> None:
    from memory.scopes import user_scope

    memory = backends()["kv"]
    await tell(memory, "s1", "I live in Porto.", "I moved to Berlin last month.")
    (fact,) = await memory.facts.ledger.current(user_scope(ADA))  # type: ignore[attr-defined]
    assert fact.object == "Berlin"
    assert [(h["event"], h["object"], h["previous"]) for h in fact.history] == [
        ("ADD", "Porto", None),
        ("UPDATE", "Berlin", "Porto"),
    ]
    assert "Porto" in fact.history[0]["said"]


def test_chinese_is_tokenised_into_bigrams_so_a_question_shares_terms_with_the_statement() -> None:
    statement, question = lexical_tokens("我最喜欢的运动是羽毛球。"), lexical_tokens("我最喜欢什么运动？")
    assert {"喜欢", "运动"} <= set(statement) & set(question)


@pytest.mark.parametrize("backend", ["vdb", "kv", "graph"])
async def test_chinese_facts_are_recalled(backend: str) -> None:
    memory = backends()[backend]
    await tell(memory, "s1", "我最喜欢的运动是羽毛球。", "今天天气不错。", "我住在杭州。")
    assert "羽毛球" in await recalled(memory, "s2", "我最喜欢的运动是什么？")
    assert "杭州" in await recalled(memory, "s2", "我住在哪个城市？")


@pytest.mark.parametrize("backend", ["vdb", "kv", "graph"])
async def test_user_memory_reaches_the_users_other_sessions_and_no_other_user(backend: str) -> None:
    memory = backends()[backend]
    await tell(memory, "ada-1", "My name is Ada and I work at Initech.")
    assert "Initech" in await recalled(memory, "ada-2", "Where do I work?")
    assert "Initech" not in await recalled(memory, "bob-1", "Where do I work?", user=BOB)
    assert "Initech" not in await recalled(memory, "x-1", "Where do I work?", user=OTHER_KEY)


async def test_session_scope_only_keeps_facts_in_their_session() -> None:
    memory = backends(policy=ScopePolicy(read=("session",), write=("session",)))["kv"]
    await tell(memory, "s1", "I work at Initech.")
    assert "Initech" in await recalled(memory, "s1", "Where do I work?")
    assert "Initech" not in await recalled(memory, "s2", "Where do I work?")


async def test_graph_answers_a_two_hop_question() -> None:
    memory = backends()["graph"]
    await tell(memory, "s1", "Alice manages Bob.", "I like tea.", "Carol is Alice's boss.", "Dan works at Hooli.")
    section = await recalled(memory, "s2", "Who is Bob's manager's manager?")
    assert "Alice" in section and "Carol" in section and "Hooli" not in section


async def test_the_model_extractor_runs_in_the_background_and_what_the_turn_does_not_say_is_dropped() -> None:
    from memory.scopes import user_scope

    reply = {
        "relations": [
            {"subject": "user", "relation": "works_at", "object": "Initech"},
            {"subject": "Tomasz", "relation": "works_at", "object": "Ingrid"},
        ],
        "attributes": [{"subject": "user", "attribute": "favourite tool", "value": "a hammer"}],
        "forget": [],
    }
    background = BackgroundWork()
    memory = backends(extractor=fake_chat(json.dumps(reply)), background=background)["kv"]
    await tell(memory, "s1", "These days I am with Initech, and my favourite tool is a hammer.")
    await background.drain()
    facts = await memory.facts.ledger.current(user_scope(ADA))  # type: ignore[attr-defined]
    held = {(fact.subject, fact.predicate, fact.object, fact.source) for fact in facts}
    assert (USER, "works_at", "Initech", "llm") in held
    assert not any(fact.object == "Ingrid" for fact in facts)  # neither entity is in the turn


async def test_the_extractor_ignores_a_message_that_only_asks() -> None:
    def extractor(value: str) -> LlmFactExtractor:
        reply = {"relations": [{"subject": "user", "relation": "preference", "object": value}]}
        return LlmFactExtractor(fake_chat(json.dumps(reply)))

    assert await extractor("now").changes("Which programming language do I prefer now?") == []
    assert await extractor("Go").changes("I prefer Go now.") == [
        Assert(USER, "preference", "Go", said="I prefer Go now.")
    ]


async def test_turns_older_than_the_window_are_summarised_in_the_background_and_shown() -> None:
    store, background = InMemoryStore(), BackgroundWork()
    summaries = ConversationSummaries(store, fake_chat("The user is Ada, a pilot."), background, batch_turns=2)
    memory = ShortTermMemory(window_turns=2, max_tokens=3000, summaries=summaries)
    history = [m for n in range(6) for m in (HumanMessage(f"turn {n}"), AIMessage("ok"))]
    first = await memory.recall("s", "hello", history)
    assert first.section == "" and len(first.messages) == 4
    await background.drain()
    second = await memory.recall("s", "hello", history)
    assert "The user is Ada, a pilot." in second.section
    dumped = await memory.dump("s")
    assert dumped["summary"]["through"] == 4


def test_memory_api_lists_searches_edits_and_deletes_the_callers_own_memory(tmp_path: Any, make_client: Any) -> None:
    from config.settings import Settings
    from tests.fakes import fake_models

    settings = Settings(SAGE_GATEWAY_DATA_DIR=tmp_path, SAGE_GATEWAY_API_KEY="key-a,key-b")
    client = make_client(fake_models(fake_chat("Noted."), embeddings=DeterministicFakeEmbedding(size=32)), settings)
    a, b = ({"Authorization": f"Bearer {key}"} for key in ("key-a", "key-b"))

    def chat(headers: dict[str, str], text: str, **extra: Any) -> None:
        body = {"model": "fake-model", "messages": [{"role": "user", "content": text}], **extra}
        assert client.post("/v1/chat/completions", json=body, headers=headers).status_code == 200

    chat(a, "My email is ada@example.org and I live in Porto.")
    chat(a, "I live in Lyon.", user="someone-else")  # another end user within the same key
    listed = client.get("/memory/items", headers=a).json()
    by_predicate = {item["predicate"]: item for item in listed["items"]}
    assert set(by_predicate) == {"email", "lives_in"} and by_predicate["lives_in"]["value"] == "Porto"
    assert client.get("/memory/items", headers=b).json()["items"] == []  # another key sees nothing
    other = client.get("/memory/items", params={"user": "someone-else"}, headers=a).json()["items"]
    assert [item["value"] for item in other] == ["Lyon"]

    found = client.get("/memory/items", params={"q": "e-mail address", "mode": "lexical"}, headers=a).json()
    assert found["items"][0]["value"] == "ada@example.org"

    ident = by_predicate["lives_in"]["id"]
    assert client.get(f"/memory/items/{ident}", headers=b).status_code == 404
    assert client.delete(f"/memory/items/{ident}", headers=b).status_code == 404
    patched = client.patch(f"/memory/items/{ident}", json={"value": "Berlin"}, headers=a).json()
    assert patched["id"] == ident and patched["value"] == "Berlin"
    history = client.get(f"/memory/items/{ident}/history", headers=a).json()["history"]
    assert [(h["event"], h["object"]) for h in history] == [("ADD", "Porto"), ("UPDATE", "Berlin")]

    created = client.post("/memory/items", json={"text": "My dog is called Rex."}, headers=a).json()
    assert created[0]["value"] == "Rex"
    note = client.post("/memory/items", json={"text": "Prefers short answers."}, headers=a).json()
    assert note[0]["predicate"] == "note"
    assert client.post("/memory/items", json={"colour": "red"}, headers=a).status_code == 400

    assert client.delete(f"/memory/items/{ident}", headers=a).json() == {"id": ident, "deleted": True}
    assert client.get(f"/memory/items/{ident}", headers=a).status_code == 404
    assert ident not in {item["id"] for item in client.get("/memory/items", headers=a).json()["items"]}
    deleted = client.get("/memory/items", params={"deleted": "true"}, headers=a).json()["items"]
    assert any(item["id"] == ident and item["deleted"] for item in deleted)

    session = client.post("/sessions", json={}, headers=a).json()["id"]
    assert client.get("/memory/items", params={"session_id": session}, headers=b).status_code == 404
    assert client.get("/memory/items", params={"session_id": session}, headers=a).status_code == 200


@pytest.mark.parametrize("backend", ["vdb", "kv", "graph"])
async def test_older_turns_of_the_users_other_sessions_are_recalled_until_that_session_is_cleared(
    backend: str,
) -> None:
    memory = backends()[backend]
    await tell(memory, "ada-1", "Last Sunday the gasworks wall had a new bouldering route.")
    assert "bouldering" in await recalled(memory, "ada-2", "What was new at the gasworks wall?")
    assert "bouldering" not in await recalled(memory, "bob-1", "What was new at the gasworks wall?", user=BOB)
    await memory.clear("ada-1")
    assert "bouldering" not in await recalled(memory, "ada-2", "What was new at the gasworks wall?")


async def test_a_long_session_fits_the_budget_and_still_recalls_an_early_fact() -> None:
    from memory.backends.short_term import count_tokens, text_tokens

    memory = build_backends(InMemoryStore(), None, window_turns=20, max_tokens=2048, top_k=5)["kv"]
    history: list[Any] = []
    for n in range(200):
        text = "My name is Zoltan and my favourite colour is teal." if n == 2 else f"Turn {n}: " + "blah " * 60
        await tell(memory, "long", text)
        history += [HumanMessage(text), AIMessage("Noted. " + "words " * 40)]
    context = await memory.recall("long", "What is my favourite colour?", history, user=ADA)
    assert count_tokens(context.messages) + text_tokens(context.section) <= 2048
    assert "teal" in context.section and context.messages


def test_plurals_and_single_han_characters_are_terms_too() -> None:
    assert "pet" in lexical_tokens("What are my pets' names?")
    assert "hobby" in lexical_tokens("my hobbies")
    assert "猫" in lexical_tokens("我家的猫叫什么名字")


async def test_an_english_favourite_is_recalled_by_a_chinese_question() -> None:
    memory = backends()["kv"]
    await tell(memory, "s1", "My favourite colour is teal.")
    assert "teal" in await recalled(memory, "s2", "我最喜欢什么颜色？")


def test_the_gateways_own_not_covered_note_is_not_shown_to_the_model_in_its_history() -> None:
    from turn.prompt_building import build_prompt
    from turn.prompts import NOT_COVERED

    earlier = [HumanMessage("Capital of Portugal?"), AIMessage(f"{NOT_COVERED['en']}\n\nLisbon.")]
    prompt = build_prompt("system", None, earlier, [HumanMessage("And Spain?")])
    assert prompt[2].text == "Lisbon." and earlier[1].text.startswith(NOT_COVERED["en"])


def test_the_incremental_lexical_index_scores_as_rank_bm25_does() -> None:
    import random

    from rank_bm25 import BM25Okapi

    from memory.facts.lexical_index import LexicalIndex, bm25_scores

    words = [f"w{n}" for n in range(12)]
    randomness = random.Random(7)
    documents = [randomness.choices(words, k=randomness.randint(1, 9)) for _ in range(40)]
    first, second = LexicalIndex(), LexicalIndex()  # two scopes read together count as one corpus
    for number, document in enumerate(documents):
        (first if number % 3 else second).add(document)
    expected = BM25Okapi(documents)
    for query in (["w1"], ["w2", "w5", "w5"], ["w0", "w11", "nowhere"]):
        reference = expected.get_scores(query)
        mine = bm25_scores([first, second], query)
        firsts = [n for n in range(len(documents)) if n % 3]
        seconds = [n for n in range(len(documents)) if not n % 3]
        for numbers, scores in ((firsts, mine[0]), (seconds, mine[1])):
            for position, number in enumerate(numbers):
                assert scores.get(position, 0.0) == pytest.approx(reference[number]), (query, number)


async def test_recall_reads_only_the_turns_it_ranks_however_many_are_stored() -> None:
    memory = backends()["kv"]
    await tell(memory, "s1", "My bike is a red Peugeot.")
    await tell(memory, "s1", *[f"The weather on day {n} was grey." for n in range(60)])
    checked: list[str] = []
    original = memory.facts.known  # type: ignore[attr-defined]

    async def counting_known(session_id: str, user: str | None) -> Any:
        known = await original(session_id, user)
        may_recall = known.may_recall

        def counted(turn: dict[str, Any]) -> bool:
            checked.append(str(turn.get("user")))
            return bool(may_recall(turn))

        known.may_recall = counted
        return known

    memory.facts.known = counting_known  # type: ignore[attr-defined]
    assert "Peugeot" in await recalled(memory, "s1", "Which bike do I ride?")
    assert len(checked) < 10, checked


def test_a_term_most_turns_hold_is_left_out_of_recall_once_there_are_enough_turns() -> None:
    from memory.facts.lexical_index import COMMON_TERMS_FROM, LexicalIndex, informative_terms

    few, many = LexicalIndex(), LexicalIndex()
    for _ in range(COMMON_TERMS_FROM - 1):
        few.add(["hello", "there"])
    assert informative_terms([few], ["hello", "dog"]) == ["hello", "dog"]  # a small scope keeps every term
    for n in range(3 * COMMON_TERMS_FROM):
        many.add(["hello", f"day{n}"] + (["dog"] if n % 3 == 0 else []))
    assert informative_terms([many], ["hello", "dog", "day4"]) == ["dog", "day4"]
    assert informative_terms([few, many], ["there"]) == ["there"]  # the scopes count as one corpus


async def test_a_greeting_said_in_every_turn_recalls_nothing_but_a_rarer_word_still_recalls_its_turn() -> None:
    memory = backends()["kv"]
    await tell(memory, "s1", "hello, my dog is called Rex.")
    await tell(memory, "s1", *[f"hello again, day {n} was grey." for n in range(40)])
    assert "Rex" in await recalled(memory, "s2", "hello, what is my dog called?")
    assert "earlier, the user said" not in await recalled(memory, "s2", "hello")


async def test_a_log_count_behind_the_turns_tops_the_cache_up_without_reloading_every_turn(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Turns that run at once may bump the log count from the same value, so it lags behind the turns stored."""
    import memory.backends.stored as stored

    memory = backends()["kv"]
    await tell(memory, "s1", *[f"The weather on day {n} was grey." for n in range(20)])
    await recalled(memory, "s1", "What was the weather?")  # the cache now holds every turn
    scope = memory.facts.policy.writes("s1", ADA)[0]  # type: ignore[attr-defined]
    reloads: list[tuple[str, ...]] = []
    every = stored.all_items

    async def counting(store: Any, ns: tuple[str, ...], value_filter: Any = None) -> Any:
        if value_filter is None:
            reloads.append(ns)
        return await every(store, ns, value_filter)

    monkeypatch.setattr(stored, "all_items", counting)
    await tell(memory, "s1", "My bike is a red Peugeot.", "I keep it in the cellar.", "It has three gears.")
    log = await memory.store.aget(scope.namespace("meta"), "turns")  # type: ignore[attr-defined]
    lagging = {**log.value, "count": log.value["count"] - 2}  # two of the three bumps lost
    await memory.store.aput(scope.namespace("meta"), "turns", lagging)  # type: ignore[attr-defined]
    section = await recalled(memory, "s1", "Which bike and how many gears?")
    assert "Peugeot" in section and "three gears" in section
    assert [ns for ns in reloads if ns[-1] == "turns"] == []


async def test_a_turn_another_process_wrote_is_recalled_from_a_top_up_of_the_cache(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import memory.backends.stored as stored

    store = InMemoryStore()
    here, there = (
        build_backends(store, DeterministicFakeEmbedding(size=32), window_turns=2, max_tokens=3000, top_k=5)["kv"]
        for _ in range(2)
    )
    await tell(here, "s1", *[f"The weather on day {n} was grey." for n in range(10)])
    await recalled(here, "s1", "What was the weather?")  # `here` now holds every turn
    reloads: list[tuple[str, ...]] = []
    every = stored.all_items

    async def counting(store: Any, ns: tuple[str, ...], value_filter: Any = None) -> Any:
        if value_filter is None and ns[-1] == "turns":
            reloads.append(ns)
        return await every(store, ns, value_filter)

    monkeypatch.setattr(stored, "all_items", counting)
    await tell(there, "s2", "It has three gears, my bike.")
    assert "three gears" in await recalled(here, "s1", "How many gears?")
    assert reloads == []


class CountingStore(InMemoryStore):
    """Counts the store's round trips (every async call is one `abatch`) and the operations in each."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[list[str]] = []

    async def abatch(self, ops: Any) -> Any:
        ops = list(ops)
        self.batches.append([type(op).__name__ for op in ops])
        return await super().abatch(ops)


async def test_recall_reads_the_facts_of_every_scope_in_one_store_batch_and_their_turn_logs_in_another() -> None:
    store = CountingStore()
    memory = build_backends(store, DeterministicFakeEmbedding(size=32), window_turns=2, max_tokens=3000, top_k=5)["kv"]
    await tell(memory, "s1", "My bike is a red Peugeot.", "Please forget my email address.")
    store.batches.clear()
    assert "Peugeot" in await recalled(memory, "s1", "Which bike do I ride?")
    reads = memory.facts.policy.reads("s1", ADA)  # type: ignore[attr-defined]
    assert len(reads) == 2
    assert store.batches[:2] == [["SearchOp"] * 4, ["GetOp"] * 2]  # facts and retractions; both turn logs


async def test_a_scope_with_more_facts_than_a_page_is_read_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    import memory.facts.ledger as ledger

    monkeypatch.setattr(ledger, "PAGE", 3)
    memory = backends()["kv"]
    facts = ["My bike is a red Peugeot.", "I work at Lumenfield.", "My favourite colour is teal.", "I live in York."]
    await tell(memory, "s1", *facts)
    known = await memory.facts.known("s2", ADA)  # type: ignore[attr-defined]
    assert {"Peugeot", "Lumenfield", "teal", "York"} <= {word for fact in known.facts for word in fact.text.split()}


async def test_the_turn_handed_to_memory_carries_the_user_messages_of_the_turn_before() -> None:
    from langgraph.runtime import Runtime

    from nodes.store_memory import store_memory
    from turn.context import GatewayContext
    from turn.state import TurnState

    memory = backends()["kv"]
    messages = [
        HumanMessage("My partner Priya will steal half of it."),
        AIMessage("Make a double batch!"),
        HumanMessage("She teaches chemistry at Kirkstall Academy."),
        AIMessage("Grab-and-go it is."),
    ]
    runtime = Runtime(context=GatewayContext(session_id="s1", memory_user=ADA))
    await store_memory(TurnState(messages=messages[:2]), runtime, memory=memory)
    await store_memory(TurnState(messages=messages), runtime, memory=memory)
    facts = await memory.facts.known("s1", ADA)  # type: ignore[attr-defined]
    assert ("Priya", "works_at", "Kirkstall Academy") in {(f.subject, f.predicate, f.object) for f in facts.facts}


async def test_a_correction_by_first_name_replaces_the_fact_of_the_full_name() -> None:
    memory = backends()["graph"]
    await tell(memory, "s1", "My new manager is Fiona Baird, and she reports to Derek Mullen.")
    await tell(memory, "s1", "Correction: Fiona's boss is Derek Mallon.")
    facts = (await memory.facts.known("s1", ADA)).facts  # type: ignore[attr-defined]
    bosses = {(f.subject, f.object) for f in facts if f.predicate == "reports_to"}
    assert bosses == {(USER, "Fiona Baird"), ("Fiona Baird", "Derek Mallon")}


@pytest.mark.parametrize("backend", ["kv", "graph"])
async def test_a_question_about_the_surname_recalls_the_full_name(backend: str) -> None:
    memory = backends()[backend]
    await tell(memory, "s1", "I'm Marta btw (Marta Kowalczyk), doing breakfast for my lot.")
    assert "Marta Kowalczyk" in await recalled(memory, "s2", "Remind me, what's my surname?")


@pytest.mark.parametrize("backend", ["vdb", "kv", "graph"])
async def test_forgetting_a_value_hides_the_turns_that_say_it_not_those_that_only_share_its_topic(backend: str) -> None:
    memory = backends()[backend]
    await tell(memory, "s1", "我手机号是139 5712 0846。", "我妈最近在学用手机视频通话。", "手机号你别存了。")
    section = await recalled(memory, "s2", "我妈最近在学什么？")
    assert "视频通话" in section and "5712" not in section


@pytest.mark.parametrize("backend", ["vdb", "kv", "graph"])
async def test_forgetting_what_no_fact_held_still_hides_the_turns_about_it(backend: str) -> None:
    memory = backends()[backend]
    await tell(memory, "s1", "Text me on the landline, it is the usual one at home.", "Forget my phone number.")
    assert "landline" not in await recalled(memory, "s2", "What is my landline?")


async def test_an_unfinished_model_extraction_keeps_the_rules_facts_and_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    truncated = '{"relations": [], "attributes": [{"subject": "user", "attribute": "hobby", "value": "climbing and'
    memory = backends(extractor=fake_chat(truncated))["kv"]
    with caplog.at_level("WARNING", logger="memory.facts.llm_extractor"):
        await tell(memory, "s1", "My name is Ada and I climb on Sundays.")
        await memory.facts.background.drain()  # type: ignore[attr-defined]
    facts = (await memory.facts.known("s1", ADA)).facts  # type: ignore[attr-defined]
    assert ("name", "Ada") in {(f.predicate, f.object) for f in facts}
    assert "no valid extraction (json_invalid)" in caplog.text
    assert "failed" not in caplog.text
