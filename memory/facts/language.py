"""Text handling that memory needs in English and Chinese alike: sentences, and tokens for lexical recall.

Chinese has no spaces, so a run of Han characters is indexed as its character bigrams (and a lone character as
itself): "我最喜欢的运动" and "最喜欢什么运动" then share 喜欢 and 运动, which whole clauses never would.
"""

import re

WORD = re.compile(r"[A-Za-z0-9][\w@.+'-]*|[\u3400-\u4dbf\u4e00-\u9fff]+", re.UNICODE)
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
STOPWORDS = frozenset(
    "a an the is are was were be been am i me my mine you your it its of to in on at for and or do does did "
    "what which who whom whose where when how why that this these those there here have has had can could would "
    "will shall should may might please tell remind again now still any some about with by from as so just "
    "know remember 's".split()
) | frozenset("我的 的是 是什 什么 我是 你知 知道 道我 吗 呢 了 的 是 我 你 他 她 吧 啊".split())


def lexical_tokens(text: str) -> list[str]:
    """Lower-cased words without stopwords or a trailing full stop, and Han character bigrams."""
    tokens: list[str] = []
    for match in WORD.finditer(text):
        piece = match.group(0)
        if HAN.match(piece):
            grams = [piece] if len(piece) == 1 else [piece[i : i + 2] for i in range(len(piece) - 1)]
            tokens += [gram for gram in grams if gram not in STOPWORDS]
            continue
        word = piece.lower().rstrip(".'-")
        if word.endswith("'s"):
            word = word[:-2]
        if word and word not in STOPWORDS:
            tokens.append(word)
    return tokens


def has_han(text: str) -> bool:
    return HAN.search(text) is not None


SENTENCE_END = re.compile(r"(?<=[.!?])\s+|[。！？\n]+|(?<=[?])")
QUESTION_START = re.compile(
    r"^\W*(?:what|which|who|whom|whose|where|when|why|how|do|does|did|is|are|was|were|am|can|could|would|will|"
    r"should|shall|have|has|may|might|remind|tell)\b",
    re.IGNORECASE,
)
CHINESE_QUESTION = re.compile(r"吗|呢|什么|哪|谁|几|多少|怎么|是否|告诉我|提醒我")


def sentences(text: str) -> list[str]:
    """Sentences, roughly: enough to tell a message that only asks from one that also states."""
    return [piece.strip() for piece in SENTENCE_END.split(text) if piece and piece.strip()]


def is_question(sentence: str) -> bool:
    """A question or a request to be told something ("What is my e-mail?", "Remind me where I work", "我住在哪里")."""
    stripped = sentence.strip()
    return stripped.endswith(("?", "？")) or bool(QUESTION_START.match(stripped) or CHINESE_QUESTION.search(stripped))


def only_asks(text: str) -> bool:
    """Every sentence of the message is a question: it states nothing to remember."""
    pieces = sentences(text)
    return bool(pieces) and all(is_question(piece) for piece in pieces)
