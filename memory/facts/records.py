"""What a fact is: a (subject, predicate, object) triple with a cardinality, the changes a turn makes to facts,
and the vocabulary of predicates (data, so that extraction, rendering and recall agree on it).

A predicate is either one of `PREDICATES` (the closed vocabulary: attributes of a person such as `email`, and
relations between entities such as `reports_to`), or a free attribute named by the user's own words ("my dog's
name is Rex" gives the attribute `dog's name`). A single-valued predicate keeps one object per subject: a later
statement replaces the earlier one. A multi-valued one (`sibling`, `likes`) keeps one fact per object.
"""

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

USER = "user"
"""The subject of everything the speaker says about themselves."""

Cardinality = Literal["single", "multi"]


@dataclass(frozen=True)
class Predicate:
    """One predicate of the vocabulary: how it is rendered, whether it has one value, and the words (English and
    Chinese) a question about it is likely to contain."""

    name: str
    cardinality: Cardinality
    template: str
    """Rendering with `{owner}` (the subject's possessive), `{who}` (the subject) and `{o}` (the object)."""
    keywords: str
    relation: bool = False
    """Between two entities (the object is a person, a company or a place), so graph recall walks through it."""


def _p(name: str, cardinality: Cardinality, template: str, keywords: str, relation: bool = False) -> Predicate:
    return Predicate(name, cardinality, template, keywords, relation)


PREDICATES: dict[str, Predicate] = {
    p.name: p
    for p in (
        _p("name", "single", "{owner} name is {o}", "name called named call surname 名字 姓名 叫 姓 全名"),
        _p(
            "email",
            "single",
            "{owner} e-mail address is {o}",
            "email e-mail mail address reach contact 邮箱 邮件 电子邮件 地址",
        ),
        _p("phone", "single", "{owner} phone number is {o}", "phone number call mobile cell telephone 电话 手机 号码"),
        _p(
            "address",
            "single",
            "{owner} home address is {o}",
            "address street postcode 地址 住址 小区 门牌",
        ),
        _p("wechat", "single", "{owner} WeChat ID is {o}", "wechat weixin 微信"),
        _p("birthday", "single", "{owner} birthday is {o}", "birthday born birth date when 生日 出生"),
        _p("age", "single", "{owner} age is {o}", "age old years 岁 年龄 多大"),
        _p(
            "lives_in",
            "single",
            "{who} lives in {o}",
            "live lives living city town based where home moved 住 城市 哪里 生活 搬",
            True,
        ),
        _p(
            "hometown",
            "single",
            "{owner} home town is {o}",
            "from hometown home town grew born origin 来自 老家 家乡 出生",
            True,
        ),
        _p(
            "works_at",
            "single",
            "{who} works at {o}",
            "work works working company employer employed job firm 工作 公司 上班 单位 就职",
            True,
        ),
        _p(
            "job",
            "single",
            "{owner} job is {o}",
            "job title role position profession occupation work do 职业 工作 职位 做什么",
        ),
        _p(
            "reports_to",
            "single",
            "{owner} manager is {o}",
            "manager boss supervisor reports report manages lead 经理 老板 上司 领导 管理",
            True,
        ),
        _p(
            "spouse",
            "single",
            "{owner} spouse is {o}",
            "wife husband spouse partner married 妻子 丈夫 老婆 老公 结婚 爱人",
            True,
        ),
        _p(
            "studied_at",
            "single",
            "{who} studied at {o}",
            "school university college studied study graduated 学校 大学 毕业 读书",
            True,
        ),
        _p(
            "preference",
            "single",
            "{owner} preference is {o}",
            "prefer preference rather favourite favorite 更喜欢 偏好 喜欢",
        ),
        _p("sibling", "multi", "{owner} sibling is {o}", "sibling sister brother 兄弟 姐妹 姐姐 妹妹 哥哥 弟弟", True),
        _p("child", "multi", "{owner} child is {o}", "child children son daughter kid kids 孩子 儿子 女儿", True),
        _p(
            "parent",
            "multi",
            "{owner} parent is {o}",
            "parent mother father mum mom dad 父母 妈妈 爸爸 母亲 父亲",
            True,
        ),
        _p("friend", "multi", "{owner} friend is {o}", "friend friends buddy 朋友", True),
        _p("colleague", "multi", "{owner} colleague is {o}", "colleague coworker co-worker teammate 同事", True),
        _p("pet", "multi", "{owner} pet is {o}", "pet dog cat animal 宠物 狗 猫", False),
        _p("likes", "multi", "{who} likes {o}", "like likes love enjoy hobby hobbies fan 喜欢 爱好 热爱", False),
        _p("speaks", "multi", "{who} speaks {o}", "speak speaks language languages 说 语言 会", False),
        _p("note", "multi", "{who} said: {o}", "", False),
        _p("allergy", "multi", "{who} is allergic to {o}", "allergic allergy allergies 过敏", False),
        _p("car", "single", "{owner} car is {o}", "car drive drives driving vehicle 车 汽车 开车 开什么"),
        _p(
            "studies",
            "single",
            "{who} studies {o}",
            "study studies studying subject major degree course field 专业 学什么 读什么 主修",
        ),
        _p(
            "teaches", "multi", "{who} teaches {o}", "teach teaches teaching subject subjects class lesson 教 教书 科目"
        ),
    )
}


@dataclass(frozen=True)
class Assert:
    """The turn states that `subject`'s `predicate` is `obj` (replacing the old value of a single-valued one)."""

    subject: str
    predicate: str
    obj: str
    said: str = ""
    """The sentence it was taken from (kept with the fact, and what lexical recall also sees)."""


@dataclass(frozen=True)
class Retract:
    """The turn takes back `subject`'s `predicate` (every value; or only `obj` when given)."""

    subject: str
    predicate: str
    obj: str | None = None
    said: str = ""


FactChange = Assert | Retract


def normal(text: str) -> str:
    """Case- and space-insensitive form of a name or a predicate, for keys."""
    return re.sub(r"\s+", " ", text.strip().lower())


def cardinality(predicate: str) -> Cardinality:
    """Free attributes have one value unless named in the plural ("my hobbies are ...")."""
    known = PREDICATES.get(predicate)
    return known.cardinality if known else "single"


def aliases(names: Iterable[str]) -> dict[str, str]:
    """A first name -> the one full name it starts ("ingrid" -> "ingrid lund"), when exactly one does: people are
    named both ways in one conversation."""
    full: dict[str, set[str]] = {}
    for name in names:
        first, _, rest = name.partition(" ")
        if rest:
            full.setdefault(first, set()).add(name)
    return {first: next(iter(candidates)) for first, candidates in full.items() if len(candidates) == 1}


def fact_key(subject: str, predicate: str, obj: str) -> str:
    """The key a fact is kept under: a single-valued predicate has one per subject, a multi-valued one per
    object."""
    key = f"{normal(subject)}|{normal(predicate)}"
    return key if cardinality(predicate) == "single" else f"{key}|{normal(obj)}"


def fact_id(key: str) -> str:
    """A stable id for a fact key: the same fact keeps its id (and its history) across updates."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"sage-memory:{key}"))


def render(subject: str, predicate: str, obj: str) -> str:
    """The fact as a short English sentence for the prompt ("the user's e-mail address is ...")."""
    owner = "the user's" if subject == USER else f"{subject}'s"
    who = "the user" if subject == USER else subject
    known = PREDICATES.get(predicate)
    if known is None:
        return f"{owner} {predicate} is {obj}"
    return known.template.format(owner=owner, who=who, o=obj)
