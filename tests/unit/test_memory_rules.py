"""The rule-based fact extractor (`memory.facts.rules.extract_changes`), table by table, in English and Chinese.

Precision matters more than recall, so every table of statements has its twin of sentences that must give nothing:
questions, requests, hypotheses, negations and look-alikes ("I'm a big fan of jazz" is no job). Expected changes are
written as `A(predicate, object, subject)` / `R(predicate, object, subject)` tuples, compared as a whole list, so an
extra fact fails a case as surely as a missing one.
"""

import pytest

from memory.facts.records import PREDICATES, USER, Assert, FactChange, Retract
from memory.facts.rules import extract_changes, sentences, states_nothing

Change = tuple[str, str, str, str | None]


def A(predicate: str, obj: str, subject: str = USER) -> Change:
    return ("assert", subject, predicate, obj)


def R(predicate: str, obj: str | None = None, subject: str = USER) -> Change:
    return ("retract", subject, predicate, obj)


def compact(changes: list[FactChange]) -> list[Change]:
    """The changes without the sentence they were said in, for short expected tables."""
    return [("assert" if isinstance(c, Assert) else "retract", c.subject, c.predicate, c.obj) for c in changes]


Case = tuple[str, list[Change]]

ABOUT_THE_USER: list[Case] = [
    ("My name is Ana.", [A("name", "Ana")]),
    ("I'm Tomasz, by the way.", [A("name", "Tomasz")]),
    ("Call me Tom.", [A("name", "Tom")]),
    ("I go by Sam these days.", [A("name", "Sam")]),
    ("Hi I'm Ana, and I'm 29.", [A("name", "Ana"), A("age", "29")]),
    ("我叫王芳", [A("name", "王芳")]),
    ("我的名字是李明。", [A("name", "李明")]),
    ("You can reach me at x.y@example.org.", [A("email", "x.y@example.org")]),
    ("my e-mail is ana@example.com", [A("email", "ana@example.com")]),
    ("You can email me, ana@x.org", [A("email", "ana@x.org")]),
    ("我的邮箱是 wang@example.cn", [A("email", "wang@example.cn")]),
    ("my number is +44 20 7946 0018", [A("phone", "+44 20 7946 0018")]),
    ("我的手机号是13800138000", [A("phone", "13800138000")]),
    ("my birthday is May 4", [A("birthday", "May 4")]),
    ("My birthday is May 4, 1990.", [A("birthday", "May 4, 1990")]),
    ("I was born on 12 March 1990", [A("birthday", "12 March 1990")]),
    ("I was born in Porto in 1990.", [A("hometown", "Porto"), A("birthday", "1990")]),
    ("我的生日是5月4日", [A("birthday", "5月4日")]),
    ("我1990年5月4日出生", [A("birthday", "1990年5月4日")]),
    ("I'm 34", [A("age", "34")]),
    ("I am 34 years old.", [A("age", "34")]),
    ("I turned 30 last week.", [A("age", "30")]),
    ("我今年28岁", [A("age", "28")]),
    ("I live in Porto", [A("lives_in", "Porto")]),
    ("I'm living in New York City.", [A("lives_in", "New York City")]),
    ("I moved to Berlin last month.", [A("lives_in", "Berlin")]),
    ("I'm based in Lyon.", [A("lives_in", "Lyon")]),
    ("I live in Porto with my wife.", [A("lives_in", "Porto")]),
    ("我住在上海", [A("lives_in", "上海")]),
    ("我搬到了杭州", [A("lives_in", "杭州")]),
    ("我在上海生活了三年", [A("lives_in", "上海")]),
    ("I'm from Kraków.", [A("hometown", "Kraków")]),
    ("I grew up in Leeds.", [A("hometown", "Leeds")]),
    ("I'm originally from Porto but I live in Berlin.", [A("hometown", "Porto"), A("lives_in", "Berlin")]),
    ("我来自成都", [A("hometown", "成都")]),
    ("我老家是四川", [A("hometown", "四川")]),
    ("我是成都人", [A("hometown", "成都")]),
    ("I work at Acme.", [A("works_at", "Acme")]),
    ("I work for Initech.", [A("works_at", "Initech")]),
    ("I've been working at Globex for three years.", [A("works_at", "Globex")]),
    ("I'm at Hooli now.", [A("works_at", "Hooli")]),
    ("I joined Initech last year.", [A("works_at", "Initech")]),
    ("I switched jobs, I'm at Umbrella now.", [A("works_at", "Umbrella")]),
    ("I'm a data engineer at Acme.", [A("job", "data engineer"), A("works_at", "Acme")]),
    ("I'm the CTO at Acme.", [A("job", "CTO"), A("works_at", "Acme")]),
    ("I'm a student at MIT.", [A("job", "student"), A("studied_at", "MIT")]),
    ("我在腾讯工作", [A("works_at", "腾讯")]),
    ("我在Google工作", [A("works_at", "Google")]),
    ("我跳槽到了阿里巴巴", [A("works_at", "阿里巴巴")]),
    ("我在腾讯做产品经理", [A("works_at", "腾讯"), A("job", "产品经理")]),
    ("我是腾讯的工程师", [A("works_at", "腾讯"), A("job", "工程师")]),
    ("I'm a data engineer.", [A("job", "data engineer")]),
    ("I'm a Python developer.", [A("job", "Python developer")]),
    ("I work as a nurse.", [A("job", "nurse")]),
    ("my job title is Staff Engineer", [A("job", "Staff Engineer")]),
    ("我是一名软件工程师", [A("job", "软件工程师")]),
    ("我是学生", [A("job", "学生")]),
    ("my manager is Alice", [A("reports_to", "Alice")]),
    ("Alice is my boss.", [A("reports_to", "Alice")]),
    ("I report to Alice.", [A("reports_to", "Alice")]),
    ("Alice manages me.", [A("reports_to", "Alice")]),
    ("Mr. Smith is my boss.", [A("reports_to", "Mr. Smith")]),
    ("李明是我的经理", [A("reports_to", "李明")]),
    ("my wife is Ana", [A("spouse", "Ana")]),
    ("I'm married to Ana.", [A("spouse", "Ana")]),
    ("我老婆叫王芳", [A("spouse", "王芳")]),
    ("我和王芳结婚了", [A("spouse", "王芳")]),
    ("I studied at MIT.", [A("studied_at", "MIT")]),
    ("I graduated from Oxford.", [A("studied_at", "Oxford")]),
    ("我毕业于北京大学", [A("studied_at", "北京大学")]),
    ("I prefer Python.", [A("preference", "Python")]),
    ("I now prefer Kotlin over Python.", [A("preference", "Kotlin")]),
    ("I'd rather use Go.", [A("preference", "Go")]),
    ("我现在更喜欢用Go", [A("preference", "Go")]),
    ("my favourite food is ramen", [A("favourite food", "ramen")]),
    ("ramen is my favorite food", [A("favourite food", "ramen")]),
    ("The Hobbit is my favourite book.", [A("favourite book", "The Hobbit")]),
    ("Python is my favourite language now.", [A("favourite language", "Python")]),
    ("我最喜欢的运动是羽毛球", [A("favourite sport", "羽毛球")]),
    ("我最喜欢的编程语言是Rust", [A("favourite programming language", "Rust")]),
    ("蓝色是我最喜欢的颜色", [A("favourite colour", "蓝色")]),
    ("我最喜欢的动漫是海贼王", [A("favourite 动漫", "海贼王")]),
    ("I have a sister, Maria.", [A("sibling", "Maria")]),
    ("Maria is my sister.", [A("sibling", "Maria")]),
    ("I have a brother called Tom.", [A("sibling", "Tom")]),
    ("I went hiking with my friend Tom.", [A("friend", "Tom")]),
    ("Alice is a friend of mine.", [A("friend", "Alice")]),
    ("I'm Bob's brother.", [A("sibling", "Bob")]),
    ("my mum is called Helen", [A("parent", "Helen")]),
    ("My cousin Ana lives in Faro.", [A("cousin", "Ana"), A("lives_in", "Faro", "Ana")]),
    ("我妹妹叫小美", [A("sibling", "小美")]),
    ("I have a dog named Rex.", [A("pet", "Rex")]),
    ("my cat is called Mimi", [A("pet", "Mimi")]),
    ("我有一只猫叫咪咪", [A("pet", "咪咪")]),
    ("I love hiking.", [A("likes", "hiking")]),
    ("I love hiking in the mountains.", [A("likes", "hiking")]),
    ("I'm a big fan of jazz.", [A("likes", "jazz")]),
    ("我喜欢爬山", [A("likes", "爬山")]),
    ("I speak a little French.", [A("speaks", "French")]),
    ("I'm allergic to peanuts.", [A("allergy", "peanuts")]),
    ("我对花生过敏", [A("allergy", "花生")]),
    ("my shoe size is 42", [A("shoe size", "42")]),
    ("my dog's name is Rex", [A("dog's name", "Rex")]),
    ("我的血型是O型", [A("血型", "O型")]),
]
"""Facts about the speaker, one phrasing per row, to a canonical predicate or the user's own noun."""

LISTS: list[Case] = [
    ("my hobbies are chess and running", [A("likes", "chess"), A("likes", "running")]),
    ("I enjoy reading, cooking and walks.", [A("likes", "reading"), A("likes", "cooking"), A("likes", "walks")]),
    ("I speak Polish and English.", [A("speaks", "Polish"), A("speaks", "English")]),
    ("I'm allergic to peanuts and shellfish.", [A("allergy", "peanuts"), A("allergy", "shellfish")]),
    ("I have two cats, Mimi and Tom.", [A("pet", "Mimi"), A("pet", "Tom")]),
    ("my sisters are Ana and Maria", [A("sibling", "Ana"), A("sibling", "Maria")]),
    ("我会说中文和英语", [A("speaks", "中文"), A("speaks", "英语")]),
    ("我的爱好是爬山、游泳和看书", [A("likes", "爬山"), A("likes", "游泳"), A("likes", "看书")]),
    ("I love hiking, I'm at Acme now.", [A("likes", "hiking"), A("works_at", "Acme")]),
]
"""One assertion per value of a multi-valued predicate; the list ends where a new clause starts."""

RELATIONS: list[Case] = [
    ("Alice manages Bob.", [A("reports_to", "Alice", "Bob")]),
    ("Alice is Bob's manager.", [A("reports_to", "Alice", "Bob")]),
    ("Bob reports to Alice.", [A("reports_to", "Alice", "Bob")]),
    ("Alice is the boss of Bob.", [A("reports_to", "Alice", "Bob")]),
    ("Dan works at Initech.", [A("works_at", "Initech", "Dan")]),
    ("Dan works at Initech and lives in Lyon.", [A("works_at", "Initech", "Dan"), A("lives_in", "Lyon", "Dan")]),
    ("Bob lives in Lyon.", [A("lives_in", "Lyon", "Bob")]),
    ("Bob moved to Lyon.", [A("lives_in", "Lyon", "Bob")]),
    ("Bob is 30.", [A("age", "30", "Bob")]),
    ("Erin is married to Frank.", [A("spouse", "Frank", "Erin")]),
    ("Erin's husband is Frank.", [A("spouse", "Frank", "Erin")]),
    ("Tom is Ana's brother.", [A("sibling", "Tom", "Ana")]),
    ("Alice's email is alice@acme.com", [A("email", "alice@acme.com", "Alice")]),
    ("My sister Maria is married to Pedro.", [A("sibling", "Maria"), A("spouse", "Pedro", "Maria")]),
    ("My manager, Alice, lives in Lyon.", [A("reports_to", "Alice"), A("lives_in", "Lyon", "Alice")]),
    ("My wife Ana is a nurse.", [A("spouse", "Ana"), A("job", "nurse", "Ana")]),
    ("张伟是李明的老板", [A("reports_to", "张伟", "李明")]),
    ("李明管理王芳", [A("reports_to", "李明", "王芳")]),
    ("王芳向李明汇报", [A("reports_to", "李明", "王芳")]),
    ("王芳的经理是李明", [A("reports_to", "李明", "王芳")]),
    ("王芳在腾讯工作", [A("works_at", "腾讯", "王芳")]),
    ("我的同事王芳在腾讯工作", [A("colleague", "王芳"), A("works_at", "腾讯", "王芳")]),
]
"""Facts between other people: subjects and objects as written, never the speaker unless they said "me"."""

SENTENCES_AND_UPDATES: list[Case] = [
    ("I'm Tom. I live in Warsaw and work at Acme.", [A("name", "Tom"), A("lives_in", "Warsaw"), A("works_at", "Acme")]),
    ("I'm 34 and I live in Porto.", [A("age", "34"), A("lives_in", "Porto")]),
    ("My email is ana.b@example.co.uk. I live in Porto.", [A("email", "ana.b@example.co.uk"), A("lives_in", "Porto")]),
    ("I paid 3.5 euros. I live in Porto.", [A("lives_in", "Porto")]),
    ("I work at Acme Inc. My boss is Alice.", [A("works_at", "Acme Inc"), A("reports_to", "Alice")]),
    ("I'm a nurse. Where do I work? My husband is Carlos.", [A("job", "nurse"), A("spouse", "Carlos")]),
    ("My name is Ana, what's yours?", [A("name", "Ana")]),
    ("I live in Porto, can you recommend a restaurant?", [A("lives_in", "Porto")]),
    ("我叫王芳，你呢？", [A("name", "王芳")]),
    ("我叫王芳，今年28岁", [A("name", "王芳"), A("age", "28")]),
    ("我是一名老师，在北京大学工作", [A("job", "老师"), A("works_at", "北京大学")]),
    ("我的邮箱是wang@example.cn，电话是13800138000", [A("email", "wang@example.cn"), A("phone", "13800138000")]),
    ("我最喜欢的水果是芒果，最喜欢的颜色是红色", [A("favourite fruit", "芒果"), A("favourite colour", "红色")]),
    ("张伟住在杭州，李明也住在杭州", [A("lives_in", "杭州", "张伟"), A("lives_in", "杭州", "李明")]),
    ("I live in Shenzhen, 我在腾讯工作", [A("lives_in", "Shenzhen"), A("works_at", "腾讯")]),
    ("My name is Tom，我住在上海", [A("name", "Tom"), A("lives_in", "上海")]),
    ("I live in 上海.", [A("lives_in", "上海")]),
    ("I live in Porto 🎉! 我住在上海😊", [A("lives_in", "Porto"), A("lives_in", "上海")]),
    ("I'm Sam from Acme.", [A("name", "Sam")]),
    ("我的名字是Tom", [A("name", "Tom")]),
    ("Actually, my manager is now Bob.", [A("reports_to", "Bob")]),
    ("Yesterday I moved to Berlin.", [A("lives_in", "Berlin")]),
    ("Please remember that I live in Porto.", [A("lives_in", "Porto")]),
    ("Don't forget my birthday is May 4.", [A("birthday", "May 4")]),
    ("我现在住在深圳了", [A("lives_in", "深圳")]),
    ("我已经搬到了杭州", [A("lives_in", "杭州")]),
    ("Sorry, I misspoke: my birthday is May 4, not May 14.", [A("birthday", "May 4")]),
    ("I live in Paris now, not Lyon.", [A("lives_in", "Paris")]),
    ("my favourite food is ramen, not sushi", [A("favourite food", "ramen")]),
    ("No, my name is Anna.", [A("name", "Anna")]),
    ("He lives in Paris and I work at Acme.", [A("works_at", "Acme")]),
    ("他住在北京，我住在上海", [A("lives_in", "上海")]),
]
"""Several sentences, a question after a statement, pro-drop Chinese clauses, updates and corrections."""

RETRACTIONS: list[Case] = [
    ("Please forget my phone number.", [R("phone")]),
    ("forget what I told you about my e-mail", [R("email")]),
    ("delete my address", [R("email")]),
    ("don't remember my birthday", [R("birthday")]),
    ("Could you delete my address?", [R("email")]),
    ("forget my name and my email", [R("name"), R("email")]),
    ("forget my shoe size", [R("shoe size")]),
    ("forget that I live in Paris", [R("lives_in")]),
    ("I don't want you to remember my address.", [R("email")]),
    ("No need to remember my birthday.", [R("birthday")]),
    ("Remove my email from your memory.", [R("email")]),
    ("Could you forget my email and phone number?", [R("email"), R("phone")]),
    ("I no longer work at Acme.", [R("works_at")]),
    ("I don't work at Acme anymore.", [R("works_at")]),
    ("I left Acme.", [R("works_at")]),
    ("I quit my job.", [R("works_at")]),
    ("I left Acme and joined Globex.", [R("works_at"), A("works_at", "Globex")]),
    ("I don't have a cat anymore.", [R("pet")]),
    ("My cat Mimi died.", [R("pet", "Mimi")]),
    ("I don't like hiking anymore.", [R("likes", "hiking")]),
    ("I'm no longer allergic to peanuts.", [R("allergy", "peanuts")]),
    ("I'm not married anymore.", [R("spouse")]),
    ("I'm no longer a nurse.", [R("job")]),
    ("Alice is no longer my manager.", [R("reports_to")]),
    ("忘记我的邮箱", [R("email")]),
    ("删除我的手机号", [R("phone")]),
    ("别记我的生日了", [R("birthday")]),
    ("你能删除我的手机号吗？", [R("phone")]),
    ("把我的邮箱删掉", [R("email")]),
    ("我已经不在腾讯工作了", [R("works_at")]),
    ("我离职了", [R("works_at")]),
    ("我不再喜欢爬山了", [R("likes", "爬山")]),
]
"""What the speaker takes back: the canonical predicate (a multi-valued one's value when known)."""

NOTHING: list[str] = [
    # questions
    "Which programming language do I prefer now?",
    "Do you remember where I work?",
    "Where does Alice live",
    "What is my name?",
    "Is my email ana@x.com?",
    "I live in Porto, right?",
    "My manager is Alice, isn't she?",
    "我住在哪里？",
    "你知道我的邮箱吗",
    "我的经理是谁？",
    "我住在上海，对吧？",
    "Did you forget my phone number?",
    "你忘了我的生日吗",
    "Whats my name",
    "Am I allergic to peanuts",
    "Have I told you that my email is x@y.org?",
    "I live in Porto, don't I?",
    "我叫啥",
    "我是不是住在上海",
    "我住在上海吧",
    # requests
    "Can you tell me my email?",
    "Please remind me of my email",
    "Tell me where I work",
    "I want to know where I live",
    "告诉我我在哪里工作",
    # hypotheticals, wishes, plans, hedges
    "If I lived in Paris, I would eat croissants.",
    "I wish I worked at Google",
    "Maybe I'll move to Rome",
    "I think my manager is Alice.",
    "I'm going to move to Lisbon.",
    "I would like to move to Rome.",
    "如果我住在北京就好了",
    "我想搬到杭州",
    "我可能会去腾讯工作",
    # negations and the past
    "I don't live in Paris.",
    "I'm not allergic to peanuts.",
    "I'm not Tomasz.",
    "My name isn't Ana.",
    "My email is not ana@x.com",
    "my old email was old@x.com",
    "I used to live in Paris.",
    "I was living in Rome.",
    "我不住在上海",
    "我没有在腾讯工作",
    # look-alikes that are no fact
    "I'm a big fan",
    "I'm a morning person.",
    "I'm a bad driver.",
    "I'm 5 minutes away.",
    "I'm Polish.",
    "I'm fluent in Python.",
    "My name is on the list.",
    "My meeting is tomorrow.",
    "My password is hunter2.",
    "我的密码是123456",
    "I prefer to work from home.",
    "I prefer the second option.",
    "I like the idea.",
    "我是一个好人",
    "我是年轻人",
    "我的生日不是5月14日",
    "我有一个问题",
    "我在北京",
    "my phone is broken",
    "my code is slow",
    "my question is whether it works",
    "my problem is the printer",
    "my guess is Paris",
    "my pleasure",
    "My point is that we should go.",
    "I love you",
    "I like that idea",
    "I love my job",
    "I prefer not to say",
    "Call me back",
    "I work from home.",
    "I work with Python.",
    "I live with my parents.",
    "I left my keys at home.",
    "I work at Acme's office.",
    "My boss is Alice's husband.",
    "I sent my report to bob@x.com",
    "My friend thinks I live in Paris.",
    "He is my brother.",
    "My brother is a doctor.",
    "My son is 5.",
    "She's 30.",
    "他住在北京",
    "他是我的经理",
    "我在北京工作",
    "我女儿今年5岁",
    "我喜欢你",
    "Thanks, that's great!",
    "OK thanks",
]
"""Sentences that must give no change at all: the worst failure is a question read as a fact."""

ALL_CASES = ABOUT_THE_USER + LISTS + RELATIONS + SENTENCES_AND_UPDATES + RETRACTIONS


@pytest.mark.parametrize(("text", "expected"), ABOUT_THE_USER)
def test_facts_about_the_user(text: str, expected: list[Change]) -> None:
    assert compact(extract_changes(text)) == expected


@pytest.mark.parametrize(("text", "expected"), LISTS)
def test_a_list_gives_one_fact_per_value(text: str, expected: list[Change]) -> None:
    assert compact(extract_changes(text)) == expected


@pytest.mark.parametrize(("text", "expected"), RELATIONS)
def test_relations_between_other_people(text: str, expected: list[Change]) -> None:
    assert compact(extract_changes(text)) == expected


@pytest.mark.parametrize(("text", "expected"), SENTENCES_AND_UPDATES)
def test_messages_updates_and_corrections(text: str, expected: list[Change]) -> None:
    assert compact(extract_changes(text)) == expected


@pytest.mark.parametrize(("text", "expected"), RETRACTIONS)
def test_retractions(text: str, expected: list[Change]) -> None:
    assert compact(extract_changes(text)) == expected


@pytest.mark.parametrize("text", NOTHING)
def test_questions_requests_hypotheses_and_non_facts_give_nothing(text: str) -> None:
    assert extract_changes(text) == []


@pytest.mark.parametrize(("text", "expected"), ALL_CASES)
def test_no_entity_is_invented(text: str, expected: list[Change]) -> None:
    """Every subject but the speaker and every object occurs verbatim in the message."""
    for change in extract_changes(text):
        assert change.subject == USER or change.subject in text
        assert change.obj is None or change.obj in text


@pytest.mark.parametrize(("text", "expected"), ALL_CASES)
def test_predicates_are_the_vocabulary_or_the_users_words(text: str, expected: list[Change]) -> None:
    """A free predicate is a favourite or a noun the user said ("shoe size"), never an invented name."""
    for change in extract_changes(text):
        free = change.predicate.removeprefix("favourite ")
        assert change.predicate in PREDICATES or free in text.lower() or change.predicate.startswith("favourite ")


@pytest.mark.parametrize(
    "text",
    [
        "Which programming language do I prefer now?",
        "Do you remember where I work? Tell me.",
        "If I lived in Paris, I would eat croissants.",
        "Maybe I'll move to Rome.",
        "你知道我的邮箱吗",
        "",
    ],
)
def test_a_message_of_questions_and_hypotheses_states_nothing(text: str) -> None:
    """What a model extractor is not even asked about, so it cannot read a question as a fact."""
    assert states_nothing(text)


@pytest.mark.parametrize(
    "text",
    [
        "Where do I work? I moved to Berlin.",
        "My name is Ana, what's yours?",
        "Could you delete my address?",
        "I'm a big fan of jazz.",
        "我住在上海",
    ],
)
def test_a_statement_or_a_request_to_forget_states_something(text: str) -> None:
    """Even when the rules find no fact in it, a statement may hold one the model can find."""
    assert not states_nothing(text)


def test_each_change_keeps_the_sentence_it_was_said_in() -> None:
    changes = extract_changes("I'm Tomasz. Please forget my phone number! 我住在上海。")
    assert [change.said for change in changes] == ["I'm Tomasz.", "Please forget my phone number!", "我住在上海。"]


def test_a_later_statement_comes_after_an_earlier_one() -> None:
    """Order is what makes an update work downstream: the last value of a single-valued predicate wins."""
    changes = extract_changes("I prefer Python. Actually, I now prefer Kotlin over Python.")
    assert compact(changes) == [A("preference", "Python"), A("preference", "Kotlin")]


def test_a_retraction_is_not_undone_by_the_same_sentence() -> None:
    assert compact(extract_changes("I left Acme, I'm at Globex now.")) == [R("works_at"), A("works_at", "Globex")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mail me at ana@example.org. Thanks!", ["Mail me at ana@example.org.", "Thanks!"]),
        ("I like languages, e.g. Python and Go. Bye.", ["I like languages, e.g. Python and Go.", "Bye."]),
        ("Pi is 3.14; I live in Porto", ["Pi is 3.14;", "I live in Porto"]),
        ("Dr. Who is on. Mr. Smith is my boss", ["Dr. Who is on.", "Mr. Smith is my boss"]),
        ("J. R. R. Tolkien wrote it\nnew line", ["J. R. R. Tolkien wrote it", "new line"]),
        ("我叫王芳。你好！我住在上海？是的；好", ["我叫王芳。", "你好！", "我住在上海？", "是的；", "好"]),
    ],
)
def test_sentences_are_not_cut_inside_addresses_numbers_or_abbreviations(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_retract_and_assert_types() -> None:
    """The module's output is the records' own types (what the store and the backends read)."""
    changes = extract_changes("I live in Porto. Forget my e-mail.")
    assert changes == [
        Assert(USER, "lives_in", "Porto", "I live in Porto."),
        Retract(USER, "email", None, "Forget my e-mail."),
    ]
