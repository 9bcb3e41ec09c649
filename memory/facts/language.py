"""Text handling that memory needs in English and Chinese alike: sentences, and tokens for lexical recall.

Chinese has no spaces, so a run of Han characters is indexed as its characters and its character bigrams:
"我最喜欢的运动" and "最喜欢什么运动" then share 喜欢 and 运动 (and 我家的猫 reaches 猫), which whole clauses never
would. English words lose a plural "s" ("pets" finds "pet").
"""

import re

WORD = re.compile(r"[A-Za-z0-9][\w@.+'-]*|[\u3400-\u4dbf\u4e00-\u9fff]+", re.UNICODE)
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
LATIN_WORD = r"[^\W\u3400-\u4dbf\u4e00-\u9fff]"
"""A word character that is not Chinese."""
STOPWORDS = frozenset(
    "a an the is are was were be been am i me my mine you your it its of to in on at for and or do does did "
    "what which who whom whose where when how why that this these those there here have has had can could would "
    "will shall should may might please tell remind again now still any some about with by from as so just "
    "know remember 's".split()
) | frozenset(
    "我的 的是 是什 什么 我是 你知 知道 道我 吗 呢 了 的 是 我 你 他 她 吧 啊 么 什 呀 个 在 有 和 也 都 就 还".split()
)


def lexical_tokens(text: str) -> list[str]:
    """Lower-cased words without stopwords or a trailing full stop, and Han character bigrams."""
    tokens: list[str] = []
    for match in WORD.finditer(text):
        piece = match.group(0)
        if HAN.match(piece):
            grams = [*piece, *(piece[i : i + 2] for i in range(len(piece) - 1))]
            tokens += [gram for gram in grams if gram not in STOPWORDS]
            continue
        word = piece.lower().rstrip(".'-")
        if word.endswith("'s"):
            word = word[:-2]
        if word and word not in STOPWORDS:
            tokens.append(singular(word))
    return tokens


def singular(word: str) -> str:
    """A plain English plural made singular ("pets", "hobbies"); anything else unchanged."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")) and word.isalpha():
        return word[:-1]
    return word


def has_han(text: str) -> bool:
    return HAN.search(text) is not None


def says_word(text: str, word: str) -> bool:
    """Whether lower-cased `text` says `word` (lower-cased) as a whole word: not inside a longer Latin word, an
    address or a number. Chinese around it is no part of it (我手机号是139 5712 0846): Python's \\w counts Han
    characters as word characters, so a plain word boundary would never find a value written next to Chinese."""
    return re.search(rf"(?<!{LATIN_WORD})(?<![@.-]){re.escape(word)}(?!{LATIN_WORD})(?![@-])", text) is not None


SENTENCE = re.compile(r"[^.!?。！？\n]+[.!?。！？]*")


def only_questions(text: str) -> bool:
    """Every sentence of `text` ends with a question mark: it asks and states nothing."""
    pieces = [piece.strip() for piece in SENTENCE.findall(text) if piece.strip(" .!。！")]
    return bool(pieces) and all(piece.endswith(("?", "？")) for piece in pieces)
