"""Deterministic extraction of the facts a user states, in English and Simplified Chinese: `extract_changes`.

A message is split into sentences and each sentence into clauses. A sentence that asks, requests, supposes or
hedges states nothing ("Do you remember where I work?", "If I lived in Paris", "I think my boss is Alice"), so it
gives no `Assert`; only the statement before a question tacked on at the end counts ("My name is Ana, and yours?").
Each clause is matched from its start against tables of (predicate, pattern) rows, first match wins, so a negated
clause ("I don't live in Paris") simply matches no row. A row captures a broad value and the predicate's shape cuts
it (a place is capitalised words, an age a number, a birthday a date): what follows the value must be punctuation,
a conjunction or a filler ("in Berlin last month"), never more of a name ("Alice's"). Every subject other than
`USER` and every object is a substring of the sentence; when unsure, a rule gives nothing.

The tables are data in `rules_en` and `rules_zh`; both languages go through this one engine, clause by clause.
"""

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from memory.facts import rules_en as en
from memory.facts import rules_zh as zh
from memory.facts.language import LATIN_WORD
from memory.facts.records import PREDICATES, USER, Assert, FactChange, Retract, cardinality

FLAGS = re.IGNORECASE
THINGS: Mapping[str, str] = MappingProxyType(
    {word: p for p, items in en.THING_WORDS for word in items.split("|")}
    | {word: p for p, items in zh.THING_WORDS for word in items.split()}
)
"""Words that name a predicate of the vocabulary ("phone number" -> phone, 邮箱 -> email)."""
NOUNS: Mapping[str, str] = MappingProxyType(dict(zh.NOUNS))
FAVOURITES: Mapping[str, str] = MappingProxyType(
    {word: noun for noun, items in en.FAVOURITE_NOUNS for word in items.split("|")}
)
"""The one noun of a favourite named several ways ("language" -> "programming language", "film" -> "movie")."""
ROLE_PREDICATES = (frozenset(en.RELATIONS) | set(en.FREE_ROLES.split()) | {p for p, _ in zh.ROLE_WORDS}) - {"pet"}
"""Predicates whose object is a person that "he", "she", "who" or "her" may then stand for."""
NON_FACTS = re.compile(rf"(?:{en.NON_FACTS}|{en.words(' '.join(zh.NON_FACTS))})", FLAGS)
MODIFIER = re.compile(rf"{en.MODIFIER}[\s-]+")
PAST_ROLE = re.compile(r"(?:old|former|ex|previous|late|first)\b")
"""A role that is over ("my old manager"): no relation of the vocabulary."""

PERSON = re.compile(en.PERSON, FLAGS)
PLACE = re.compile(en.PLACE, FLAGS)
ORG = re.compile(en.ORG, FLAGS)
SHAPES: Mapping[str, re.Pattern[str]] = MappingProxyType(
    {predicate: PERSON for predicate in en.RELATIONS}
    | {
        "name": re.compile(
            rf"{en.PERSON}|{zh.CALLED}|(?!(?:{en.NOT_A_NAME})\b)(?-i:[a-z]{{2,20}}(?:\s+[a-z]{{2,20}})?)"
            rf"(?=\s*(?:$|[,.!;]))",
            FLAGS,
        ),
        "email": re.compile(en.EMAIL),
        "phone": re.compile(en.PHONE),
        "birthday": re.compile(rf"(?:on\s+)?(?:the\s+)?(?P<x>{en.DATE})", FLAGS),
        "age": re.compile(en.AGE, FLAGS),
        "lives_in": PLACE,
        "hometown": PLACE,
        "works_at": ORG,
        "studied_at": ORG,
        "speaks": re.compile(en.LANGUAGE, FLAGS),
        "job": re.compile(en.JOB_TITLE, FLAGS),
        "car": re.compile(en.CAR),
        "favourite team": re.compile(en.TEAM),
    }
)
"""The shape of a value by predicate: the longest prefix of the captured text that fits is the value. Other
predicates take a free value in the user's words (`_free_values`)."""
CALLED = re.compile(rf"{en.PERSON}|{zh.CALLED}", FLAGS)
"""A name the speaker introduces ("called Mimi", 叫咪咪): a Chinese one needs no surname."""
REST_OK = re.compile(
    r"$|(?<=[\u4e00-\u9fff])\s|\s*[,;:.!?)(\-–—]|\s*[\u4e00-\u9fff，。；！？、]|\s*(?![\s'’@&+])[^\w]|"
    r"\s+(?:and|but|so|or|not|at|for|with|in|on|by|from|as|who|which|"
    r"that|since|until|because|after|before|when|while|now|too|also|last|this|next|these|nowadays|currently|actually|"
    r"already|again|then|anymore|though|btw|rather|instead|over|than|here|there|today|yesterday|recently|full-time|"
    r"part-time|originally|up|down|near|outside|to)\b",
    FLAGS,
)
"""What may follow a value: punctuation, an emoji, Chinese, or a word that cannot continue a name ("Porto with my
wife"); never a possessive ("Alice's") or more of an address."""
REST: Mapping[str, re.Pattern[str]] = MappingProxyType(
    {
        "age": re.compile(
            r"$|\s*[,;.!?)]|\s*[\u4e00-\u9fff，。]|\s+(?:and|but|so|now|by\s+the\s+way|btw|too|already|today|yesterday|"
            r"recently|(?:last|this)\s+(?:week|month|year))\b",
            FLAGS,
        )
    }
)
"""Stricter followers for a bare number: "I'm 34, by the way" is an age, "I'm 5 minutes away" is not."""
REJECT: Mapping[str, re.Pattern[str]] = MappingProxyType({"works_at": re.compile(zh.NOT_EMPLOYER)})
COMMA_ONLY = re.compile(r"\s*,\s*")
"""A list whose last item follows a bare comma is no list ("penicillin, the GP form asked"): a list ends on "and",
"or" or 、."""
LIST_SEPARATOR = re.compile(r"\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|&)\s+|\s*[、/]\s*|和|与|以及|及|还有|跟", FLAGS)
STOPS = (
    r"\s*[;:!?()]|\.(?=\s|$)|\s+(?:but|so|because|since|although|though|while|which|who|whom|when|where|if|unless|"
    r"whereas|at|for|in|with|from|during|as|not|rather\s+than|instead\s+of)\b|\s*[—–]|\s+-+\s|[，。；！？：]|而不是|不是|"
    r"但是|因为|所以|"
    r"而且"
)
"""Where a free value ends: a clause boundary, a preposition ("hiking in the Alps"), a correction ("not sushi")."""
SINGLE_STOP = re.compile(rf"{STOPS}|\s*,|\s+and\s+(?:I|my|you|he|she|we|they|it)\b", FLAGS)
MULTI_STOP = re.compile(STOPS, FLAGS)
CUTS: Mapping[str, re.Pattern[str]] = MappingProxyType(
    {"preference": re.compile(r"\s+(?:over|to|than|versus|vs\.?)\s+|胜过|多于|比(?=\S)", FLAGS)}
)
"""Where a free value of one predicate ends besides `STOPS`: "Kotlin over Python" prefers Kotlin."""
UPDATE = r"(?:(?:now|actually|currently|also|really|just|still|officially)\s+|现在|目前|已经|也|还)"
LEADING = re.compile(rf"(?:{UPDATE}|(?:(?-i:the|a|an)|to|using|use)\s+|用|使用|都|很)*", FLAGS)
"""Update markers and articles before a free value ("now Kotlin", "a nurse", "现在上海")."""
SHAPE_LEADING = re.compile(rf"\s*(?:{UPDATE}|(?-i:the)\s+)*", FLAGS)
"""What may come before a shaped value ("now Bob", "the Netherlands"), never a preposition ("on the list")."""
SHAPE_LEADINGS: Mapping[str, re.Pattern[str]] = MappingProxyType(
    {"car": re.compile(rf"\s*(?:{UPDATE}|(?-i:the|a|an)\s+|(?-i:{en.CAR_WORDS}))*", FLAGS)}
)
"""A thing, unlike a name or a place, may come with an article ("my car is a Kia Niro")."""
AGE_VALUE = en.AGE.replace("?P<x>", "")
ASIDE = re.compile(
    rf"\s*\((?:aged?\s+)?(?P<age>{AGE_VALUE})\)|,?\s+(?:who['’]s|who\s+is|aged?)\s+(?P<years>{AGE_VALUE})"
    r"(?=\s*(?:$|[,;.!)]|and\b))",
    FLAGS,
)
"""An age given beside a name in a list ("Arjun, who's seven, and Mira (4)")."""
TRAILING = re.compile(
    r"(?:\s*,?\s*(?:by\s+the\s+way|btw|now|right\s+now|these\s+days|nowadays|currently|at\s+the\s+moment|actually|"
    r"too|as\s+well|though|again|already|today|recently|(?:last|this)\s+(?:week|month|year)|a\s+lot|very\s+much|"
    r"so\s+much|of\s+course|on\s+the\s+side|as\s+a\s+hobby|for\s+fun|for\s+a\s+living)|了|啦|呀|哦|啊|的|吧|呢|现在|"
    r"已经|目前)$",
    FLAGS,
)
"""Update markers and filler at the end of a value ("Kotlin now", "上海了")."""
BAD = re.compile(
    r"\b(?:I|me|my|mine|you|your|yours|he|him|his|she|her|hers|we|us|our|they|them|their|it|its|this|that|these|those|"
    r"what|which|who|whom|whose|where|when|why|how|not|never|no|nothing|none|something|anything|someone|somebody|"
    r"anyone|nobody)\b|[我你他她它这那谁哪吗呢不没]|什么",
    FLAGS,
)
"""Words no free value contains: pronouns (the assistant, someone unnamed), questions and negation."""
STATE = re.compile(
    r"(?:so|very|too|really|quite|pretty|kind\s+of|sort\s+of|a\s+bit|like|being|getting|going|gonna|broken|down|slow|"
    r"fast|fine|ok|okay|great|good|bad|terrible|awful|nice|gone|dead|missing|lost|busy|sick|ill|tired|here|there|ready|"
    r"done|late|early|over|coming|similar|different|same|better|worse|full|empty|open|closed|on|off|in|at|with|from|"
    r"to|for|about|by|out|up|called|named|known|tomorrow|today|tonight|yesterday|later|soon|next|last|every|"
    r"(?-i:think|know|say|go|be|see|believe|get|make|have))\b|[的是了在被把]",
    FLAGS,
)
"""Openings of a free value that describe a state, not a value ("my phone is broken", "my code is slow")."""
OPENINGS: Mapping[str, re.Pattern[str]] = MappingProxyType(
    {"likes": re.compile(r"(?-i:the)\s", FLAGS), "preference": re.compile(r"(?:(?-i:the)|to)\s", FLAGS)}
)
"""How a free value of a predicate never opens: "I like the idea" is no hobby, "I prefer to work from home" no
preference for "work"."""

SENTENCE_END = re.compile(r"[。！？；]+|[.!?;]+(?=\s|$|[\"'”’)\]\u4e00-\u9fff])|\n+")
BREAK = re.compile(rf"{en.BREAK}|[，：；]\s*|{zh.BREAK}", FLAGS)
LEAD = re.compile(rf"(?:{en.LEAD}|{zh.LEAD})", FLAGS)
ASKS = re.compile(rf"{en.ASKS}|{zh.REQUEST}", FLAGS)
ZH_ASKS = re.compile(zh.QUESTION)
TAG = re.compile(rf"(?:{en.TAG}|{zh.TAG})[\s?？!.]*", FLAGS)
HEDGE = re.compile(rf"{en.HEDGE}|{zh.HEDGE}", FLAGS)
CONDITIONAL = re.compile(rf"{en.CONDITIONAL}|{zh.CONDITIONAL}", FLAGS)
FRAMING = re.compile(en.FRAMING, FLAGS)
BARE_HEDGE = re.compile(rf"(?:{en.BARE_HEDGE}|(?:{zh.HEDGE})[。！？.!?]*)", FLAGS)
RELATIVE = re.compile(rf"{en.RELATIVE}|(?:{en.AUX})\b", FLAGS)
MY_ROLE_NAME = (re.compile(en.MY_ROLE_NAME, FLAGS), re.compile(zh.MY_ROLE_NAME))
CHANGED = (
    re.compile(rf"\b(?:my|our)\s+(?P<thing>{en.THING})\s+(?:has\s+|have\s+)?(?:changed|is\s+different)\b", FLAGS),
    re.compile(
        rf"我的?(?P<thing>{zh.THING})(?:也)?(?:换了|改了|变了)|我(?:也)?(?:换了|改了)(?:新的?)?(?P<new>{zh.THING})"
    ),
)
"""A thing of the speaker's that changed ("my email changed", 我换了邮箱): the next "it's now ..." gives its value."""
NEW_VALUE = re.compile(
    r"(?:it['’]s|it\s+is|the\s+new\s+one(?:['’]s|\s+is)|(?:now\s+)?it['’]s)\s+(?:now\s+)?(?P<v>.+)|"
    r"(?:现在|新的|新号码|新邮箱)?(?:的)?(?:是|为)\s*(?P<zh>.+)",
    FLAGS,
)
REFERABLE = frozenset({"likes", "car", "teaches", "preference"})
"""What "it" may stand for in "..., it's my favourite sport": a thing the speaker does or has, never a person."""
IT_IS = re.compile(rf"(?:it|that)(?:['’]s|\s+is)\s+(?:also\s+|still\s+)?my\s+(?P<thing>{en.THING}){en.END}", FLAGS)
""" "..., it's my favourite sport": the thing the clause before named."""
PRONOUN = re.compile(r"\b(?:he|she|him|her|his)\b|[他她]", FLAGS)
"""A message that could go on about someone named before it (only then is the message before it read)."""
HE_SHE = re.compile(r"\s*(?:he|she|him|her|his)\b|\s*[他她]", FLAGS)
"""A sentence that opens on a pronoun goes on about the person the sentence before named ("We have a son, Leo.
He's three.")."""
SPEAKER = re.compile(r"I\b(?!['’](?:d|ll)\b)|我(?!们)", FLAGS)
"""A clause that names the speaker as its subject, so a clause after it without one is the speaker's too, even when
no rule took a fact from it (我现在改成游泳了，现在最喜欢的运动是游泳)."""
CONTINUES = re.compile(r"(?:还是|也|还|都|已经|一直|主要|同时|又|并且)(?![们])|(?:also|still)\b", FLAGS)
"""A clause that goes on without a subject of its own (还是做推荐算法): the one after it keeps the subject."""
BRACKETED = re.compile(r"\(([^()]{3,60})\)")
FULL_NAME = re.compile(rf"(?P<v>{en.LATIN_NAME})[\s.!]*")
"""A clause that is only a name ("I'm Henrik, by the way — Henrik Solberg"): the full form of a name just given."""
EMAIL = re.compile(en.EMAIL)
PRIVATE = ("email", "phone", "address", "wechat", "birthday", "age")
"""Personal data a user may ask to be forgotten without the syntax of "forget my ..." (`_forget_requested`)."""
_PRIVATE_EN = {w for p, items in en.THING_WORDS if p in PRIVATE for w in items.split("|")} - {"number", "mail"}
_PRIVATE_ZH = {w for p, items in zh.THING_WORDS if p in PRIVATE for w in items.split()} - {"号码"}
"""Bare "number", "mail" and 号码 say too little on their own ("drop that number from the total")."""


def _longest_first(words: Iterable[str]) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))


PRIVATE_THINGS = re.compile(
    rf"(?<!{LATIN_WORD})(?<!-)(?:{_longest_first(_PRIVATE_EN | set(en.ACCOUNTS.split()))})(?!{LATIN_WORD})(?!-)|"
    rf"{_longest_first(_PRIVATE_ZH)}",
    FLAGS,
)
FORGET_REQUEST = re.compile(rf"{en.FORGET_REQUEST}|{zh.FORGET_REQUEST}", FLAGS)
HOW_TO = re.compile(rf"{en.HOW_TO}|{zh.HOW_TO}", FLAGS)
PARTICLES = "了啦呀吧呢哦啊嘛"
"""Sentence-final particles, which end no name, place or thing (我们搬到成都啦, 搬到Toronto了)."""
RESIDENCE = re.compile(rf"{en.STREET_ADDRESS}|(?:{zh.RESIDENCE})$", FLAGS)
FIRST_PERSON = re.compile(r"\b(?:me|my|mine)\b|\bI(?:['’]m|\s+am)\b|我", FLAGS)
NOT_MINE = re.compile(
    r"\b(?:his|her|their|not|never|no|was|were|used\s+to|old|previous|former)\b|n['’]t\b|\w['’]s\s+(?:\w+\s+)?"
    r"(?:e-?mail|address|contact)|他|她|不|没|以前|之前|原来|[^\s我]的(?:电子)?(?:邮箱|邮件)",
    FLAGS,
)
"""Signs that an address in a first-person sentence is not (or no longer) the speaker's."""
SENT_TO = re.compile(r"\b(?:to|from|cc|bcc|with|for|about|and|or)\s*:?\s*$", FLAGS)
THING_STOP = re.compile(r"please|too|from|for|now|as|that|which|then|again|completely|entirely|anymore|i|you|with")
"""Words that end the noun of "forget my <noun> ..." ("my shoe size please")."""
THING_SEPARATOR = re.compile(rf"\s*(?:,|\band\b|&|\bor\b)\s*(?:my\s+|our\s+|the\s+)?|{zh.THING_SEPARATOR}", FLAGS)
MY_THING = re.compile(r"\b(?:my|our)\s+$|[、和与及，,]$", FLAGS)
"""After the first thing to forget, only the vocabulary or another "my ..." is one ("my number, I'm getting a new
SIM" forgets the number only)."""
THING_FILLER = re.compile(zh.THING_FILLER)
ASSISTANT = re.compile(r"\byou(?:r|rs)?\b", FLAGS)
"""A value about the assistant ("I enjoy working with you") is none of the speaker's."""
HAN_ONLY = re.compile(r"[\u4e00-\u9fff]+")
LETTER = re.compile(r"[^\W_]")
FAVOURITE = re.compile(r"\bfavorite\b|\bfave\b")
INITIALS = re.compile(r"(?:[a-z]\.)*[a-z]")
LAST_WORD = re.compile(r"(\S+)$")


@dataclass(frozen=True)
class Rule:
    """One row of a table, compiled: what it asserts (or retracts) when its pattern matches a clause."""

    predicate: str
    pattern: re.Pattern[str]
    retract: bool = False


def _rules(rows: tuple[tuple[str, str], ...], retract: bool = False) -> tuple[Rule, ...]:
    return tuple(Rule(predicate, re.compile(pattern, FLAGS), retract) for predicate, pattern in rows)


ASSERT_RULES = _rules(en.ROWS + zh.ROWS)
STATEMENT_RULES = _rules(en.RETRACTS + zh.RETRACTS, retract=True) + ASSERT_RULES
"""Retractions first: "I no longer work at Acme" is not also read as a statement."""
IMPERATIVE_RULES = _rules(en.IMPERATIVES + zh.IMPERATIVES, retract=True)


@dataclass(frozen=True)
class Found:
    """What one clause gave: its changes (with their position), where it ends, and its subject for the next."""

    changes: tuple[tuple[int, FactChange], ...]
    end: int
    subject: str | None


def extract_changes(text: str, before: str = "") -> list[FactChange]:
    """The fact changes `text` (one user message) states, in order. `before` is the user's message before it: a
    message that opens on "he" or "she" goes on about the person that one last named ("My partner Priya will
    steal half of it." then "She teaches chemistry at Kirkstall Academy.")."""
    changes: list[FactChange] = []
    changed: str | None = None
    person = _last_named(before) if before and PRONOUN.search(text) else None
    said = sentences(text)
    for index, sentence in enumerate(said):
        changed = _changed(sentence) or changed
        found = sorted(_sentence_changes(sentence, changed, person), key=lambda pair: pair[0])
        person = _named_next(sentence, found, person)
        changes += list(dict.fromkeys(change for _, change in found))
        changes = _whole_name(changes, said[index + 1 :] if index + 1 < len(said) else [])
    return _retracts_first(changes)


def _named_next(sentence: str, found: list[tuple[int, FactChange]], person: str | None) -> str | None:
    """Whom "he" or "she" stands for after `sentence`: the person it named, else the one before when it went on
    about them too (it opened on a pronoun), else nobody."""
    return _antecedent(found) or (person if HE_SHE.match(sentence) else None)


def _last_named(text: str) -> str | None:
    """Whom "he" or "she" stands for after `text`."""
    person: str | None = None
    for sentence in sentences(text):
        person = _named_next(sentence, list(_sentence_changes(sentence, None, person)), person)
    return person


def _whole_name(changes: list[FactChange], after: list[str]) -> list[FactChange]:
    """A first name made whole by the next sentence when that is only the full name ("I'm Amir. Amir Haddad.")."""
    if not after or not changes:
        return changes
    full = FULL_NAME.fullmatch(after[0].strip())
    last = changes[-1]
    if full and isinstance(last, Assert) and last.subject == USER and last.predicate == "name":
        if full["v"].startswith(f"{last.obj} "):
            return [*changes[:-1], Assert(USER, "name", full["v"], last.said)]
    return changes


def _retracts_first(changes: list[FactChange]) -> list[FactChange]:
    """A message that both gives a new value and takes the old one back ("got a job at Jingdong, left Xiaomi")
    retracts before it asserts, so the new value stays."""
    out = list(changes)
    for change in changes:
        if not isinstance(change, Retract) or change.obj is not None or cardinality(change.predicate) != "single":
            continue
        same = [
            i
            for i, c in enumerate(out)
            if isinstance(c, Assert) and (c.subject, c.predicate) == (change.subject, change.predicate)
        ]
        at = out.index(change)
        if same and same[0] < at:
            out.insert(same[0], out.pop(at))
    return out


def states_nothing(text: str) -> bool:
    """Whether no sentence of `text` states anything: each one asks, requests, supposes or hedges, and none asks to
    forget. A model extractor skips such a message, so it cannot turn a question into a fact either."""
    return not any(_stating(sentence) or any(_imperatives(_unconditional(sentence))) for sentence in sentences(text))


def sentences(text: str) -> list[str]:
    """`text` cut after . ! ? ; 。！？； and at newlines, but not inside an address, a number or an abbreviation."""
    pieces: list[str] = []
    start = 0
    for match in SENTENCE_END.finditer(text):
        if match.group().startswith(".") and _abbreviation(text, match.start(), match.end()):
            continue
        pieces.append(text[start : match.end()].strip())
        start = match.end()
    pieces.append(text[start:].strip())
    return [piece for piece in pieces if piece]


def _abbreviation(text: str, dot: int, after: int) -> bool:
    """Whether the full stop at `dot` ends an abbreviation or an initial ("e.g.", "Dr.", "J."), so the sentence goes
    on; a softer one ("etc.", "approx.") only when a lower-case word follows. Any other full stop ends the
    sentence, even before a lower-case word: people chatting rarely capitalise ("...came on. drive it or not?")."""
    word = LAST_WORD.search(text[:dot])
    token = word.group(1).lower() if word else ""
    if token in en.ABBREVIATIONS or INITIALS.fullmatch(token) is not None:
        return True
    return token in en.SOFT_ABBREVIATIONS and text[after:].lstrip()[:1].islower()


def _changed(sentence: str) -> str | None:
    """The predicate of a thing the sentence says changed ("my email changed", 我的邮箱换了), if any."""
    for pattern in CHANGED:
        if match := pattern.search(sentence):
            return canonical(match.group("thing") or match.groupdict().get("new") or "")
    return None


def _sentence_changes(
    sentence: str, changed: str | None = None, person: str | None = None
) -> Iterator[tuple[int, FactChange]]:
    """The changes of one sentence with their positions: requests to forget (even asked as a question), then the
    statements of its stating part."""
    unconditional = _unconditional(sentence)
    yield from _imperatives(unconditional)
    statement = _stating(sentence)
    if statement:
        yield from _statements(statement, sentence, changed, person)
    elif unconditional:
        yield from _named_roles(unconditional)


def _imperatives(sentence: str) -> Iterator[tuple[int, FactChange]]:
    """The retractions a sentence asks for, clause by clause ("Please forget my phone number", 忘记我的邮箱), else
    those of a request not to keep the personal data it names anywhere (`_forget_requested`)."""
    asked = False
    for start in _clause_starts(sentence) if sentence else ():
        found = _match(sentence, _skip_lead(sentence, start), IMPERATIVE_RULES, None)
        asked = asked or bool(found and found.changes)
        yield from found.changes if found else ()
    if sentence and not asked:
        yield from _forget_requested(sentence)


def _forget_requested(sentence: str) -> Iterator[tuple[int, FactChange]]:
    """A request not to keep something ("can you scrap the mobile number I gave you", "the Kilmarnock Road
    address, please don't hang on to that", 手机号那个你别存了) retracts the personal data the sentence names: an
    e-mail, a phone number, an address, a birthday, an age or an account handle, never a person or a preference,
    and nothing in a question about how to remove something. What it names is in the request's clause or before it
    ("please drop the table, my phone number is on it" asks nothing of memory)."""
    requests = list(FORGET_REQUEST.finditer(sentence))
    if not requests or HOW_TO.search(sentence):
        return
    after = BREAK.search(sentence, requests[-1].end())
    named = PRIVATE_THINGS.finditer(sentence, 0, after.start() if after else len(sentence))
    for predicate in dict.fromkeys(_private_thing(m.group()) for m in named):
        yield 0, Retract(USER, predicate, None, sentence)


def _private_thing(word: str) -> str:
    """The predicate a personal-data word names (an account's service is its own)."""
    lowered = " ".join(word.lower().split())
    return THINGS.get(lowered, lowered)


def _clause_starts(text: str) -> list[int]:
    return [0] + [match.end() for match in BREAK.finditer(text)]


def _clauses(text: str) -> list[tuple[int, int, str]]:
    """Each clause of `text`: where it starts, where it starts without its opening words ("Actually, ..."), and
    that text."""
    starts = _clause_starts(text)
    ats = [_skip_lead(text, start) for start in starts]
    ends = starts[1:] + [len(text)]
    return [(start, at, text[at:end]) for start, at, end in zip(starts, ats, ends, strict=True)]


def _skip_lead(text: str, pos: int) -> int:
    while (match := LEAD.match(text, pos)) and match.end() > pos:
        pos = match.end()
    return pos


def _unconditional(sentence: str) -> str:
    """`sentence` up to a conditional ("My cell is 555-0148 if you need it" states the number): nothing when the
    conditional opens the sentence ("If I lived in Paris, ...") or frames it ("Let's pretend I live in Paris")."""
    if FRAMING.search(sentence):
        return ""
    match = CONDITIONAL.search(sentence)
    return sentence if match is None else sentence[: match.start()].rstrip()


def _stating(sentence: str) -> str:
    """The part of `sentence` that states: before a conditional, before the first hedged clause (a hedge voids its
    clause and what follows: "My birthday is March 9, so maybe I'll ..."), and before a question tacked on. Nothing
    when the first clause hedges or a clause only hedges ("My boss is Alice, I think")."""
    text = _unconditional(sentence)
    clauses = _clauses(text)
    if any(BARE_HEDGE.fullmatch(clause.strip(" ,")) for _, _, clause in clauses):
        return ""
    for index, (start, _, clause) in enumerate(clauses):
        if HEDGE.search(clause):
            text = text[:start].rstrip() if index else ""
            break
    return _statement_part(text, sentence.rstrip().endswith(("?", "？")))


def _statement_part(sentence: str, asked: bool) -> str:
    """The leading part of `sentence` that states: all of it, nothing (a question, a request, a tagged statement),
    or the clauses before a question added at the end ("My name is Ana, what's yours?"). A clause opened by "who"
    or "which" after a comma, or by an auxiliary ("We also have ..."), asks nothing unless the sentence (`asked`)
    ends with a question mark."""
    for index, (start, at, clause) in enumerate(_clauses(sentence)):
        relative = index > 0 and not asked and RELATIVE.match(sentence, at) is not None
        if (ASKS.match(sentence, at) and not relative) or ZH_ASKS.search(clause):
            if index == 0 or TAG.fullmatch(clause.strip()):
                return ""
            return sentence[:start]
    return "" if sentence.rstrip().endswith(("?", "？")) else sentence


def _statements(
    text: str, said: str, changed: str | None = None, named: str | None = None
) -> Iterator[tuple[int, FactChange]]:
    """Clause by clause, the first rule that matches (else, after "my sister Maria", what the clause says of
    Maria; else what a clause says by reference: "it's my favourite sport", "it's now ..."); a clause without its
    own subject continues the previous clause's, and "he", "she" or "who" stand for the person last named. Then the
    roles named anywhere ("... with my sister Maria") unless the sentence takes them back ("my cat Mimi died"), a
    full name given apart, and an address the speaker gives."""
    consumed, previous = 0, None
    changes: list[tuple[int, FactChange]] = []
    for start in _clause_starts(text):
        if start < consumed:
            continue
        pos, person = _skip_lead(text, start), _antecedent(changes) or named
        found = _referred(text, pos, said, changes, changed)
        found = found or _match(text, pos, STATEMENT_RULES, previous if start else None, said, person)
        for role in MY_ROLE_NAME if found is None else ():
            if match := role.match(text, pos):
                found = _match(text, match.start("v"), STATEMENT_RULES, None, said, person)
        speaker = USER if SPEAKER.match(text, pos) else previous if CONTINUES.match(text, pos) else None
        consumed, previous = (found.end, found.subject) if found else (consumed, speaker)
        changes += found.changes if found else ()
    changes = _full_name(text, said, changes + _roles(text, said, changes))
    yield from changes
    yield from _email(text, said, changes)


def _named_roles(sentence: str) -> Iterator[tuple[int, FactChange]]:
    """The speaker's people named by role in a sentence that states nothing else ("My partner Priya will steal
    half of it", "Can my wife Maria join?"): asking or guessing about Maria still says who she is. Only the
    speaker's own ("my", "our"), and never under a condition (`sentence` is its unconditional part)."""
    for at, change in _roles(sentence, sentence, []):
        if isinstance(change, Assert) and change.subject == USER:
            yield at, change


def _antecedent(changes: list[tuple[int, FactChange]]) -> str | None:
    """Whom "he", "she", "who" or "her" stands for: the person last named, as the object of a role ("my manager is
    Ingrid") or as the subject of a fact ("Kavya lives in Hamburg with her husband ...")."""
    for _, change in sorted(changes, key=lambda pair: pair[0], reverse=True):
        if isinstance(change, Assert) and change.predicate in ROLE_PREDICATES:
            return change.obj
        if change.subject != USER:
            return change.subject
    return None


def _roles(text: str, said: str, changes: list[tuple[int, FactChange]]) -> list[tuple[int, FactChange]]:
    """The roles named anywhere in a statement ("my sister Maria", "Daniel's brother Femi", 孙悦的哥哥孙强), each
    of its owner ("her" is whom the sentence named before), unless the sentence takes them back."""
    retracted = {(c.subject, c.predicate, c.obj) for _, c in changes if isinstance(c, Retract)}
    found: list[tuple[int, FactChange]] = []
    for role in MY_ROLE_NAME:
        for match in role.finditer(text):
            owner = match["s"] or _owner(match["o"], [c for c in changes + found if c[0] < match.start()])
            predicate = _predicate("", match)
            if owner and predicate and _about(owner, predicate) and (owner, predicate, match["v"]) not in retracted:
                found.append((match.start("v"), Assert(owner, predicate, match["v"], said)))
    return found


def _owner(word: str | None, before: list[tuple[int, FactChange]]) -> str | None:
    return USER if word is None or word.lower() in ("my", "our", "我") else _antecedent(before)


def _referred(
    text: str, pos: int, said: str, changes: list[tuple[int, FactChange]], changed: str | None
) -> Found | None:
    """A clause that gives its value by reference: "it's my favourite sport" (what the clause before named), or
    "it's now ..." / 现在是… (the new value of the thing the message said changed)."""
    if it := IT_IS.match(text, pos):
        predicate = canonical(it["thing"]) or ""
        mine = (c.obj for _, c in reversed(changes) if isinstance(c, Assert) and c.predicate in REFERABLE)
        last = next((obj for obj in mine), None)
        if last and (predicate == "likes" or predicate.startswith("favourite ")):
            return Found(((pos, Assert(USER, predicate, last, said)),), it.end(), USER)
    new = NEW_VALUE.match(text, pos) if changed else None
    if new is None or changed is None:
        return None
    group = "v" if new["v"] is not None else "zh"
    values, used = _values(changed, new[group])
    at = new.start(group)
    return Found(((at, Assert(USER, changed, values[0], said)),), at + used, USER) if values else None


def _full_name(text: str, said: str, changes: list[tuple[int, FactChange]]) -> list[tuple[int, FactChange]]:
    """A first name made whole by a clause, or a bracket, that is only the full name ("I'm Henrik, by the way —
    Henrik Solberg", "I'm Marta btw (Marta Kowalczyk)")."""
    out: list[tuple[int, FactChange]] = []
    for at, change in changes:
        if isinstance(change, Assert) and change.subject == USER and change.predicate == "name":
            given = [(start, clause.strip()) for start, _, clause in _clauses(text)]
            given += [(m.start(), m.group(1)) for m in BRACKETED.finditer(text)]
            for start, words in given:
                full = FULL_NAME.fullmatch(words)
                if start > at and full and full["v"].startswith(f"{change.obj} "):
                    change = Assert(USER, "name", full["v"], said)
        out.append((at, change))
    return out


def _email(text: str, said: str, changes: list[tuple[int, FactChange]]) -> Iterator[tuple[int, FactChange]]:
    """An e-mail address in a first-person statement is the speaker's, unless a rule already placed it or the
    sentence gives it to someone else ("his address", "I wrote to bob@x.org") or denies or dates it."""
    addresses = list(EMAIL.finditer(text))
    if len(addresses) != 1 or addresses[0].group() in {change.obj for _, change in changes}:
        return
    address = addresses[0]
    if FIRST_PERSON.search(text) and not NOT_MINE.search(text) and not SENT_TO.search(text[: address.start()]):
        yield address.start(), Assert(USER, "email", address.group(), said)


def _match(
    text: str, pos: int, rules: tuple[Rule, ...], inherited: str | None, said: str = "", person: str | None = None
) -> Found | None:
    """The first rule that matches `text` at `pos` and gives a valid change. A clause whose subject is a pronoun
    nobody resolved (`person` is whom "he", "she" and "who" stand for) stops there, with nothing."""
    said = said or text
    for rule in rules:
        match = rule.pattern.match(text, pos)
        if match is None:
            continue
        subject = _subject(match, inherited, person)
        if subject is None:
            return Found((), pos, None)
        found = _apply(rule, match, subject, said)
        if found is not None:
            return found
    return None


def _subject(match: re.Match[str], inherited: str | None, person: str | None = None) -> str | None:
    """The speaker for I/me/my/our/我 (and for the household: "we", 我们), a name as written, the previous clause's
    subject when there is none (the speaker's, opening a sentence, for a row with a `me` group: 邮箱是…, "Got a job
    at ..."), `person` for he/she/who/他/她, and None for another pronoun."""
    if "s" not in match.re.groupindex or match.groupdict().get("we"):
        return USER
    said = match["s"]
    if said is None:
        return USER if inherited is None and "me" in match.re.groupindex else inherited
    if said.lower() in ("i", "me", "my", "mine", "our", "我"):
        return USER
    if said.lower() in ("he", "she", "who", "他", "她"):
        return person
    return None if said.lower() in ("they", "we", "it", "它", "他们", "她们") else said


def _apply(rule: Rule, match: re.Match[str], subject: str, said: str) -> Found | None:
    """The changes of one matched rule, or None when its value does not fit the predicate."""
    predicate = _predicate(rule.predicate, match)
    if predicate is None or not _about(subject, predicate):
        return None
    groups = match.re.groupindex
    if "things" in groups:
        return _forget(match, said)
    if "clause" in groups:
        inner = _match(match.string, match.start("clause"), ASSERT_RULES, None, said)
        asserted = [change for _, change in inner.changes if isinstance(change, Assert)] if inner else []
        undone = [(match.start(), _undo(change, said)) for change in asserted]
        return Found(tuple(undone), match.end(), None) if undone else None
    group = "called" if match.groupdict().get("called") is not None else "v"
    raw = match.groupdict().get(group)
    values: list[str] = []
    end = match.end()
    if raw is not None:
        values, used = _values(predicate, raw, CALLED if group == "called" else None)
        if not values:
            return None
        end = match.end() if used == len(raw) else match.start(group) + used
    elif not rule.retract:
        return None
    if rule.retract:
        multi = cardinality(predicate) == "multi"
        objects: list[str | None] = list(values) if multi and values else [None]
        return Found(tuple((match.start(), Retract(subject, predicate, o, said)) for o in objects), end, subject)
    at = match.start(group) if raw is not None else match.start()
    predicate = _reshaped(_spoken(predicate, values), values)
    changes: list[tuple[int, FactChange]] = [(at, Assert(subject, predicate, value, said)) for value in values]
    changes += _ages(values, raw or "", at, said) if predicate in ROLE_PREDICATES else []
    for extra in (name for name in groups if name in PREDICATES and match[name] is not None):
        changes += [(match.start(extra), Assert(subject, extra, v, said)) for v in _values(extra, match[extra])[0]]
    then = values[0] if "then" in groups and len(values) == 1 else subject
    return Found(tuple(changes), end, then)


def _spoken(predicate: str, values: list[str]) -> str:
    """A favourite "language" that is a natural one ("French") is no programming language."""
    natural = values and all(SHAPES["speaks"].fullmatch(value) for value in values)
    return "favourite language" if predicate == "favourite programming language" and natural else predicate


def _reshaped(predicate: str, values: list[str]) -> str:
    """The predicate a value's shape says it is: an "address" that is an e-mail address ("my address is
    bob@example.com") is the e-mail; a place lived in that is a street address or a housing estate ("I live at
    14 Birch Lane", 我住锦城花园) is the home address, not the city."""
    if predicate == "address" and values and all(EMAIL.fullmatch(v) for v in values):
        return "email"
    if predicate == "lives_in" and values and all(RESIDENCE.search(v) for v in values):
        return "address"
    return predicate


def _ages(names: list[str], raw: str, at: int, said: str) -> list[tuple[int, FactChange]]:
    """The ages given beside the names of a list ("two kids: Arjun, who's seven, and Mira, who's four")."""
    ages: list[tuple[int, FactChange]] = []
    for name in names:
        aside = re.search(rf"{re.escape(name)}(?:{ASIDE.pattern})", raw, FLAGS)
        age = _values("age", (aside["age"] or aside["years"]) if aside else "")[0]
        ages += [(at + (aside.start() if aside else 0), Assert(name, "age", a, said)) for a in age]
    return ages


def _about(subject: str, predicate: str) -> bool:
    """Whether `predicate` may be said of `subject`: anything of the speaker, only the vocabulary and favourites of
    someone else ("Bob's car is red" is not kept)."""
    return subject == USER or predicate in PREDICATES or predicate.startswith("favourite ")


def _undo(change: Assert, said: str) -> Retract:
    """The retraction of what an asserted clause stated: the one value of a multi-valued predicate, else all."""
    obj = change.obj if cardinality(change.predicate) == "multi" else None
    return Retract(change.subject, change.predicate, obj, said)


def _forget(match: re.Match[str], said: str) -> Found | None:
    """Retract every thing listed after "forget my ..." / 忘记我的…, each mapped to its predicate."""
    retracts: list[tuple[int, FactChange]] = []
    things = match["things"]
    starts = [0] + [m.end() for m in THING_SEPARATOR.finditer(things)]
    ends = [m.start() for m in THING_SEPARATOR.finditer(things)] + [len(things)]
    for index, (start, end) in enumerate(zip(starts, ends, strict=True)):
        predicate = _thing(things[start:end])
        if not predicate or (index and predicate not in PREDICATES and not MY_THING.search(things[:start])):
            break
        retracts.append((match.start(), Retract(USER, predicate, None, said)))
    return Found(tuple(retracts), match.end(), None) if retracts else None


def _thing(piece: str) -> str | None:
    """The predicate a retraction names: the longest known prefix ("phone number from your memory" -> phone),
    else the words before the first that cannot belong to a noun."""
    piece = THING_FILLER.sub("", piece.strip(" .!?,。！？")).strip()
    words = piece.lower().split()
    if words and BAD.match(words[0]):
        return None
    for size in range(min(4, len(words)), 0, -1):
        known = canonical(" ".join(words[:size]))
        if known in PREDICATES:
            return known
    if not words:
        return None
    kept = words[: next((i for i, w in enumerate(words) if THING_STOP.fullmatch(w)), len(words))][:3]
    return canonical(" ".join(kept)) if kept else None


def _predicate(kind: str, match: re.Match[str]) -> str | None:
    """The rule's predicate, or the one its `thing` group names ("" any, "known" only the vocabulary or a
    favourite, "favourite" always `favourite <thing>`)."""
    thing = match.groupdict().get("thing")
    if thing is None:
        return kind
    if kind == "favourite":
        return f"favourite {_favourite(thing)}"
    predicate = canonical(thing)
    if kind == "known" and predicate not in PREDICATES and not (predicate or "").startswith("favourite "):
        return None
    return predicate


def canonical(thing: str) -> str | None:
    """The predicate that the words `thing` name: one of the vocabulary, `favourite <noun>`, or the words
    themselves as a free predicate; None for what is not a fact ("question", "pleasure")."""
    words = FAVOURITE.sub("favourite", " ".join(thing.lower().replace("’", "'").split()))
    if not words or NON_FACTS.match(words) or words.endswith("'s"):
        return None
    bare = words
    while (modifier := MODIFIER.match(bare)) and modifier.end() < len(bare):
        bare = bare[modifier.end() :]
    if bare.startswith("favourite "):
        return f"favourite {_favourite(bare[10:])}"
    for candidate in (words, bare, bare[:-1] if bare.endswith("s") else bare):
        if candidate in THINGS:
            return THINGS[candidate]
    head = bare.split()[-1]
    if THINGS.get(head) in ROLE_PREDICATES and not PAST_ROLE.match(bare):
        return THINGS[head]
    return words


def _favourite(noun: str) -> str:
    """The one name of a favourite's noun (我最喜欢的语言 and "my favourite language" are a programming
    language's)."""
    noun = NOUNS.get(noun, noun)
    return FAVOURITES.get(noun, noun)


def _values(predicate: str, raw: str, shape: re.Pattern[str] | None = None) -> tuple[list[str], int]:
    """The values at the start of `raw` for `predicate` (several for a multi-valued one: "Polish and English"),
    and how much of `raw` they take."""
    shape = shape or SHAPES.get(predicate) or (PERSON if predicate in ROLE_PREDICATES else None)
    if shape is None:
        return _free_values(predicate, raw)
    rest, reject = REST.get(predicate, REST_OK), REJECT.get(predicate)
    values: list[str] = []
    at = used = _lead(raw, SHAPE_LEADINGS.get(predicate, SHAPE_LEADING))
    while (match := shape.match(raw, at)) is not None:
        value = (match.groupdict().get("x") or match.group()).rstrip(".").rstrip(PARTICLES)
        if not value or not rest.match(raw, match.end()) or (reject is not None and reject.fullmatch(value)):
            break
        values.append(value)
        used = match.end()
        if (predicate in ROLE_PREDICATES or predicate == "pet") and (aside := ASIDE.match(raw, used)):
            used = aside.end()
        separator = LIST_SEPARATOR.match(raw, used)
        if cardinality(predicate) == "single" or separator is None:
            break
        at = separator.end()
    return values, used


def _free_values(predicate: str, raw: str) -> tuple[list[str], int]:
    """A value in the user's own words, cut at the first clause boundary, correction ("ramen, not sushi") or
    comparison, then split into a list for a multi-valued predicate."""
    multi = cardinality(predicate) == "multi"
    ends = [m.start() for m in ((MULTI_STOP if multi else SINGLE_STOP).search(raw), _cut(predicate, raw)) if m]
    segment = raw[: min(ends, default=len(raw))]
    if ASSISTANT.search(segment):
        return [], 0
    spans, at, joins = [], 0, [""]
    for separator in LIST_SEPARATOR.finditer(segment) if multi else ():
        spans.append((at, separator.start()))
        joins.append(separator.group())
        at = separator.end()
    spans.append((at, len(segment)))
    values: list[str] = []
    used = 0
    for start, stop in spans:
        value = _clean(predicate, segment[start:stop])
        if value is None:
            break
        values.append(value)
        used = stop
    while len(values) > 1 and COMMA_ONLY.fullmatch(joins[len(values) - 1]):
        values.pop()
        used = spans[len(values) - 1][1]
    return values, used


def _lead(text: str, leading: re.Pattern[str] = LEADING) -> int:
    """Where a value starts after what `leading` skips."""
    match = leading.match(text)
    return match.end() if match else 0


def _cut(predicate: str, raw: str) -> re.Match[str] | None:
    cut = CUTS.get(predicate)
    return cut.search(raw) if cut else None


def _clean(predicate: str, text: str) -> str | None:
    """A free value without its filler, or None when it is not a value (a pronoun, a state, a long clause)."""
    text = text.strip().strip("\"'“”‘’")
    opening = OPENINGS.get(predicate)
    if opening is not None and opening.match(text):
        return None
    text = text[_lead(text) :]
    while (filler := TRAILING.search(text)) and filler.start() < len(text):
        text = text[: filler.start()].rstrip()
    text = text.strip(" .,!")
    han_only = HAN_ONLY.fullmatch(text) is not None
    if not LETTER.search(text) or BAD.search(text) or STATE.match(text) or len(text.split()) > 6:
        return None
    return None if han_only and len(text) > 15 else text
