"""English for the fact rules of `memory.facts.rules`: the value shapes, the words that name a fact, the patterns
of what a user states, and the words that make a sentence a question, a request or a hypothesis.

Data only (pattern strings and word tables), compiled by `rules`. The shapes also accept a Han value (a message may
mix the languages: "I live in 上海"), so they use the Chinese fragments of `rules_zh`. Names are capitalised words
(`(?-i:...)` keeps that test case-sensitive while the rows are compiled case-insensitively).
"""

from memory.facts import rules_zh as zh


def words(text: str) -> str:
    """A regex alternation of the space-separated `text` (each item may itself be a regex)."""
    return "|".join(text.split())


STOP = words(
    "The A An This That These Those It He She They We You My Your His Her Our Their Yesterday Today Tomorrow "
    "Tonight Thanks Thank Sorry Hi Hello Hey Yes No Ok Okay Well Oh So But And Or Also Actually Please Maybe Perhaps "
    "Now Then Here There What Which Who Where When Why How Just Still Btw Anyway Last Next Every Some Any All None "
    "Nothing Everyone Someone Sure Great Good Nice Cool Fine Right Wait Correction Update Note Remember Forget Delete "
    "Tell Call Not Never Always Since After Before As If In On At For With By From To Of Monday Tuesday Wednesday "
    "Thursday Friday Saturday Sunday January February March April June July August September October November "
    "December English British American Canadian Australian Irish Scottish Welsh French German Spanish Italian "
    "Portuguese Polish Dutch Swedish Norwegian Danish Finnish Russian Ukrainian Chinese Japanese Korean Indian "
    "Brazilian Mexican Turkish Greek Czech Hungarian Austrian Swiss Belgian Jewish Muslim Catholic Buddhist Hindu "
    "Vegan Vegetarian Single Married Back Home Busy Ready Done Happy Tired"
)
"""Capitalised words that are not a person's name (sentence openers, calendar words, nationalities)."""
LOWER = "a-zß-öø-ÿ"
UPPER = "A-ZÀ-ÖØ-Þ"
CAP = rf"[{UPPER}](?:[{LOWER}]+(?:[A-Z][{LOWER}]+)?|['’][A-Z][{LOWER}]+)(?:-[{UPPER}][{LOWER}]+)*"
TITLE = r"(?:(?:Mr|Mrs|Ms|Miss|Dr|Prof)\.?\s+)?"
LATIN_NAME = rf"(?-i:{TITLE}(?!(?:{STOP})\b){CAP}(?:\s+(?!(?:{STOP})\b){CAP}){{0,2}})"
PERSON = rf"(?:{LATIN_NAME}|{zh.NAME})"
PLACE_WORD = rf"(?!(?:{STOP}|I)\b)[{UPPER}][^\W\d_]*(?:[-'’][A-Za-z][^\W\d_]*)*"
PLACE_LINK = rf"(?:(?:{words('de da do del di la le am upon on of sur al el')})\s+)?"
PLACE = rf"(?:(?-i:{PLACE_WORD}(?:\s+{PLACE_LINK}{PLACE_WORD}){{0,3}})|{zh.PLACE})"
ORG_WORD = rf"(?!(?:{STOP}|I)\b)[A-Z0-9][\w&.+'’-]*"
LATIN_ORG = rf"(?-i:{ORG_WORD}(?:\s+(?:&\s+|of\s+|de\s+|the\s+)?{ORG_WORD}){{0,5}})"
ORG = rf"(?:{LATIN_ORG}|{zh.ORG})"
TEAM = rf"(?:{LATIN_ORG}|[{zh.HAN}]{{2,12}})"
"""A team one supports ("Hibernian", 湖人): a name, never "the idea"."""
CAR_NAME = rf"(?-i:{ORG_WORD}(?:\s+{ORG_WORD}){{0,3}})"
CAR = rf"(?:{CAR_NAME}|[{zh.HAN}][{zh.HAN}A-Za-z0-9]{{1,11}})"
"""A car by its make and model, capitalised ("Kia Niro", "Tesla Model 3") or in Chinese (比亚迪汉): "I drive a
lot" names none."""
EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
PHONE = r"\+?\(?(?:\d[\s().-]{0,2}){6,14}\d"
MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
DAY = r"\d{1,2}(?:st|nd|rd|th)?"
YEAR = r"(?:,?\s+\d{4})?"
DATE = (
    rf"(?:{MONTH}\s+{DAY}{YEAR}|{DAY}\s+(?:of\s+)?{MONTH}{YEAR}|{MONTH}\s+\d{{4}}|\d{{4}}-\d{{1,2}}-\d{{1,2}}"
    rf"|\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?|{zh.DATE}|(?:19|20)\d{{2}}\b|{MONTH}\b)"
)
NUMBER_WORDS = words(
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen "
    "eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety"
)
NUMBER_WORD = rf"(?:(?:{NUMBER_WORDS})(?:-(?:one|two|three|four|five|six|seven|eight|nine))?)"
"""An age in words ("who's seven", "she's twenty-one")."""
AGE = (
    rf"(?P<x>\d{{1,3}}周?岁|[一二三四五六七八九十]{{1,3}}周?岁|[1-9]\d?|1[01]\d|{NUMBER_WORD}\b)"
    r"(?:\s*(?:years?|yrs?)(?:\s+old|\s+of\s+age)?|\s*y/?o\b)?"
)
"""An age: a number, in words, or with 岁 (a Chinese age keeps it, as it is said: 8岁)."""
LANGUAGES = words(
    "English Spanish French German Italian Portuguese Polish Dutch Swedish Norwegian Danish Finnish Icelandic Russian "
    "Ukrainian Belarusian Czech Slovak Slovenian Croatian Serbian Bosnian Bulgarian Romanian Hungarian Greek Turkish "
    "Arabic Hebrew Persian Farsi Urdu Hindi Bengali Punjabi Gujarati Marathi Tamil Telugu Kannada Malayalam Nepali "
    "Sinhala Chinese Mandarin Cantonese Japanese Korean Vietnamese Thai Indonesian Malay Tagalog Filipino Swahili "
    "Amharic Yoruba Zulu Afrikaans Catalan Basque Galician Welsh Irish Gaelic Latvian Lithuanian Estonian Albanian "
    "Macedonian Armenian Georgian Azerbaijani Kazakh Uzbek Mongolian Tibetan Burmese Khmer Lao Maori Esperanto Latin "
    "Yiddish Flemish Hokkien Teochew Hakka Shanghainese Taiwanese Javanese Sundanese Cebuano Haitian Creole"
)
"""Natural languages ("I'm fluent in Python" says nothing about what the speaker speaks)."""
LANGUAGE = rf"(?:(?-i:(?:{LANGUAGES})(?:\s+Sign\s+Language)?|ASL|BSL)\b|{zh.LANGUAGE})"
JOB_NOUNS = words(
    "engineer developer programmer coder scientist analyst designer architect manager director consultant nurse "
    "doctor physician surgeon dentist teacher professor lecturer researcher student lawyer attorney solicitor "
    "barrister accountant writer author journalist editor chef cook baker pilot driver mechanic electrician plumber "
    "carpenter pharmacist therapist psychologist psychiatrist vet veterinarian artist musician photographer "
    "translator interpreter librarian firefighter officer clerk cashier salesperson marketer entrepreneur founder "
    "co-founder freelancer intern administrator technician tester specialist coordinator assistant secretary "
    "receptionist paramedic economist statistician mathematician physicist chemist biologist farmer soldier waiter "
    "waitress barista bartender actor actress dancer singer ceo cto cfo coo vp strategist recruiter auditor banker "
    "trader broker realtor lead supervisor executive sysadmin tutor instructor trainer nanny caregiver cleaner "
    "builder welder surveyor optometrist midwife radiologist planner producer animator illustrator copywriter "
    "hairdresser barber tailor florist butcher postdoc undergraduate detective judge priest pastor politician diplomat "
    "paramedic headteacher principal dean"
)
NOT_JOB_WORD = words(
    "and or of fan big huge bad good great terrible awful careful safe slow fast better worse poor former ex retired "
    "future aspiring wannabe would-be"
)
"""Words that make "I'm a <...> driver" a judgement or a past, not a job ("a bad driver", "a former teacher")."""
OF_WHAT = rf"(?:\s+of\s+(?!(?:the|a|an|my|our|his|her|their|{NOT_JOB_WORD})\b)[\w-]+)"
"""What a role is head of ("head of platform", "director of nursing")."""
JOB = rf"(?:(?!(?:{NOT_JOB_WORD})\b)[\w+#./-]+\s+){{0,3}}(?:(?:{JOB_NOUNS})\b{OF_WHAT}?|head\b{OF_WHAT})"
JOB_TITLE = (
    rf"(?:{JOB}|(?-i:[A-Z][\w+#./-]*(?:\s+(?:of\s+|&\s+)?[A-Z][\w+#./-]*){{0,4}})|retired\b|{zh.JOB}"
    rf"|(?:(?![我你他她的是在了])[{zh.HAN}]){{2,6}})"
)
STUDENT = r"(?:[\w-]+\s+){0,2}student"

ACCOUNTS = (
    "github gitlab twitter instagram linkedin telegram discord slack skype whatsapp signal facebook tiktok threads "
    "mastodon bluesky reddit weibo qq steam"
)
"""Services whose account a user may name ("my GitHub is @jliu-dev"): each is the predicate of its handle."""
STREET_ADDRESS = (
    r"^\d+[a-z]?,?\s+(?:[\w'’.-]+\s+){1,4}(?:street|st|road|rd|lane|ln|avenue|ave|drive|dr|close|way|court|ct|"
    r"place|pl|crescent|terrace|boulevard|blvd|gardens|square|row|mews)\.?(?:,.*)?$"
)
"""A street address ("14 Birch Lane", "221b Baker Street"): a house number, a name, a kind of street."""
THING_WORDS: tuple[tuple[str, str], ...] = (
    ("name", "name|first name|full name|given name|preferred name|real name"),
    ("email", "email|e-mail|email address|e-mail address|mail|mail address|contact email"),
    ("address", "address|home address|street address|postal address|mailing address|postcode|zip code"),
    ("wechat", "wechat|wechat id|weixin"),
    ("phone", "phone|phone number|number|mobile|mobile number|cell|cell number|cellphone|telephone"),
    ("phone", "telephone number|contact number|landline|landline number|home phone|home number|home phone number"),
    ("birthday", "birthday|date of birth|birth date|birthdate|dob|bday"),
    ("age", "age"),
    ("lives_in", "current city|city of residence|place of residence|home city"),
    ("hometown", "hometown|home town|birthplace|place of birth|home country"),
    ("works_at", "employer|company|workplace"),
    ("job", "job|job title|title|role|position|profession|occupation|line of work"),
    ("reports_to", "manager|boss|supervisor|line manager|team lead|team leader"),
    ("spouse", "wife|husband|spouse|partner"),
    ("studied_at", "university|college|school|alma mater|uni"),
    ("preference", "preference"),
    ("sibling", "sister|brother|sibling|twin|sis|bro"),
    ("child", "son|daughter|child|kid|baby|children|boy|girl|little one"),
    ("parent", "mother|father|mom|mum|dad|parent|mommy|daddy|mama|papa"),
    ("friend", "friend|buddy|bestie|pal"),
    ("colleague", "colleague|coworker|co-worker|teammate|workmate"),
    ("pet", "pet|dog|cat|puppy|kitten|hamster|rabbit|bunny|parrot|bird|fish|turtle|tortoise|horse|guinea pig|ferret"),
    (
        "pet",
        "spaniel|terrier|retriever|labrador|lab|poodle|collie|shepherd|beagle|dachshund|pug|corgi|husky|shiba|"
        "shiba inu|bulldog|greyhound|whippet|chihuahua|boxer|rottweiler|doberman|schnauzer|setter|hound|mutt|"
        "tabby|siamese|ragdoll|budgie|cockatiel|gecko|lizard|snake|goldfish|pony|dalmatian|pomeranian|maltese|"
        "sheepdog|lurcher|cockapoo|labradoodle|goldendoodle|spitz|akita|samoyed|mare|gelding",
    ),
    ("likes", "hobby|hobbies|interest|interests|passion|passions|pastime|pastimes"),
    ("speaks", "native language|mother tongue|first language|languages"),
    ("allergy", "allergy|allergies"),
    ("car", "car|vehicle|ride"),
    ("studies", "major|field of study|course of study|degree subject"),
    ("diet", "diet"),
    ("intolerance", "intolerance|intolerances|food intolerance"),
    ("condition", "condition|medical condition|health condition"),
)
"""The words of "my <thing> is ..." / "forget my <thing>" that name a predicate of the vocabulary."""
RELATIONS = ("reports_to", "spouse", "sibling", "child", "parent", "friend", "colleague", "pet")
"""Predicates whose value is a person (or a pet): "my sister Maria", "I have a dog named Rex"."""
FREE_ROLES = (
    "cousin uncle aunt niece nephew grandmother grandfather grandma grandpa granny girlfriend boyfriend fiance fiancé "
    "fiancee fiancée neighbour neighbor roommate flatmate housemate mentor doctor dentist therapist landlord landlady "
    "co-founder cofounder GP classmate schoolmate godmother godfather stepmother stepfather stepson stepdaughter "
    "sister-in-law brother-in-law mother-in-law father-in-law coach tutor physio physiotherapist"
)
"""People the speaker names by role without a predicate of the vocabulary: "my cousin Ana" gives `cousin`."""
MODIFIER = rf"(?:{words('older younger big little elder baby twin best good close oldest youngest eldest step half')}"
MODIFIER += rf"|{words('new current direct dear main all-time absolute')})"


def roles(*predicates: str) -> str:
    """The role words of `predicates`, longest first, as an alternation."""
    found = [word for predicate, items in THING_WORDS if predicate in predicates for word in items.split("|")]
    return "|".join(sorted(found, key=len, reverse=True))


ROLE = rf"(?-i:(?:{MODIFIER}[\s-]+)?(?:{roles(*RELATIONS)}|{words(FREE_ROLES)}))"
SYMMETRIC = rf"(?:{roles('sibling', 'spouse', 'friend', 'colleague')})"
PETS = roles("pet")
NOT_THING = rf"(?!(?:{words('now too actually again though anymore then here there and but or is are was')})\b)"
THING = (
    rf"(?:(?i:{roles('wechat', 'email')}|{words(ACCOUNTS)})(?![\w'’-])|"
    rf"(?-i:{NOT_THING}[a-z][a-z'’-]*(?:\s+{NOT_THING}[a-z][a-z'’-]*){{0,2}}))"
)
"""A thing of "my <thing> is": lower-case words (a capitalised one is a name: "my Corolla is"), or a vocabulary
word that is written capitalised ("my WeChat is", "my E-mail is")."""
NOT_HOBBY = words("listener learner worker sleeper eater believer supporter user customer advocate follower driver")
"""Who is keen without a hobby ("a keen listener")."""
TO_DO = r"(?:\s+to\s+(?:watch|play|eat|cook|drink|read|listen\s+to|wear|visit)|\s+of\s+all\s+time|\s+ever)?"
"""What a favourite is for ("my favourite sport to watch")."""
NON_FACTS = words(
    "question problem guess point pleasure bad fault turn concern issue idea plan worry hope wish dream fear goal aim "
    "opinion view take feeling impression bet thought assumption understanding apolog mistake suggestion advice "
    "answer request reason excuse intention intent head heart god gosh goodness lord life mind day week weekend "
    "morning evening night luck condolence thank gratitude own experience priority task favou?rite$ meeting "
    "appointment flight train call password passcode pin secret token api\\s+key credit\\s+card card\\s+number "
    "security\\s+code ssn social\\s+security"
)
"""Things of "my <thing> is" that are not facts about the speaker ("my question is", "my pleasure", "my meeting is
tomorrow"), and secrets that memory must never keep ("my password is ...")."""
NOT_A_NAME = words(
    "not secret private unknown irrelevant unimportant none nothing confidential hidden long short weird hard easy "
    "common rare funny strange unusual spelled pronounced"
)

S = rf"(?:(?P<s>I|he|she|they|we|it|who|{PERSON})(?:,?\s+|(?=['’])))?"
"""The subject opening a clause; absent when the clause continues the previous one ("... and work at Acme"); "he",
"she" and a relative "who" stand for the person the sentence just named."""
WE = r"(?P<we>we|my\s+(?:wife|husband|partner|family)\s+and\s+I|(?-i:[A-Z][a-z]+)\s+and\s+I)"
"""The speaker's household, for what it shares: a home, pets, children, a car, the languages spoken at home."""
ADVERBS = rf"(?:(?:{words('now currently actually still also really just already finally recently')}"
ADVERBS += rf"|{words('officially happily both originally')})\s+)*"
BE = r"\s*(?:am|is|are|['’]m|['’]re|['’]s)\s+"
SP = rf"{S}\s*{ADVERBS}"
SB = rf"{S}{BE}{ADVERBS}"
SPW = rf"(?:{WE}(?:\s+|(?=['’])){ADVERBS}|{SP})"
"""A subject that may be the speaker's household ("we moved to Wells", "we have a dog")."""
DONT = r"(?:do\s+not|does\s+not|don['’]t|doesn['’]t)"
ANYMORE = r"\s+any\s?(?:more|longer)\b"
END = r"(?=\s*(?:$|[,;:.!?)—–]|(?:now|too|these\s+days|by\s+the\s+way|btw|actually|and|but)\b))"
POLITE = (
    r"(?:(?:please|kindly|just)\s+|(?:can|could|would|will)\s+you\s+(?:please\s+)?|I\s+(?:want|need)\s+you\s+to\s+|"
    r"I(?:\s+would|['’]d)\s+like\s+you\s+to\s+|you\s+(?:can|should|may)\s+)*"
)
ERASE = "forget|delete|remove|erase|drop|clear|wipe|discard|scrap"
"""The verbs of erasing that every kind of request to forget shares."""
FORGET = (
    rf"(?:{ERASE}|scratch|disregard|unlearn|"
    r"stop\s+(?:remembering|storing|keeping|saving)|I(?:['’]d|\s+would)\s+rather\s+you\s+(?:didn['’]t|did\s+not)\s+"
    r"(?:keep|have|store|remember)|"
    r"(?:do\s+not|don['’]t)\s+(?:remember|store|save|keep)|(?:I\s+)?(?:do\s+not|don['’]t)\s+want\s+you\s+to\s+"
    r"(?:remember|store|keep|know)|(?:no\s+)?need\s+to\s+(?:remember|store|keep))"
)
ABOUT = (
    r"(?:about\s+|(?:everything|all)\s+(?:you\s+know\s+)?(?:about|regarding)\s+|"
    r"what\s+(?:I|you)\s+(?:told\s+you|said|know|have|wrote)\s+(?:about|regarding)\s+)?"
)

FORGET_REQUEST = (
    r"(?:^|[,;:—–-]\s*|\b(?:please|pls|plz|just|so|and|also|oh|ugh|actually|too|then)\s+|"
    r"\b(?:can|could|would|will)\s+you\s+(?:please\s+|pls\s+|just\s+)?|\byou\s+(?:can|could|should|may)\s+(?:just\s+)?)"
    rf"(?:{ERASE}|scrub|ditch|purge|bin)\b|"
    r"\b(?:don['’]t|do\s+not|no\s+need\s+to|stop|quit)\s+(?:keep(?:ing)?|stor(?:e|ing)|sav(?:e|ing)|hold(?:ing)?|"
    r"hang(?:ing)?\s+on\s+to|remember(?:ing)?|record(?:ing)?)\b|"
    r"\brather\s+(?:[\w'’]+\s+){0,3}?(?:wasn['’]t|weren['’]t|was\s+not|were\s+not|didn['’]t|did\s+not|not\s+be)\s+"
    r"(?:kept|held|saved|stored|remembered|keep|hold|save|store|remember|have)\b"
)
"""A request, anywhere in a sentence, that the assistant not keep something ("can you scrap the mobile number",
"the birthday bit, you can drop that too", "please don't hang on to that", "I'd rather my birth date wasn't
held"): what it names is in the same sentence (`PRIVATE_THINGS`)."""
HOW_TO = r"\bhow\s+(?:do|can|could|should|would|to)\b|\bhow['’]s\b"
"""A question about how to remove something ("how do I remove my email from a list") asks nothing of memory."""


def negations(rows: tuple[tuple[str, str, str], ...]) -> tuple[tuple[str, str], ...]:
    """Both ways of saying a fact stopped: "I no longer <verb> X" and "I don't <verb> X anymore" (plain "I don't
    work at Acme" is a denial, not an update, so it needs the "anymore")."""
    out: list[tuple[str, str]] = []
    for predicate, subject, verb in rows:
        value = r"(?:\s+(?:the\s+)?(?P<v>.+?))?"
        negated = rf"{DONT}\s+{verb}" if subject == SP else rf"not\s+{verb}"
        out.append((predicate, rf"{subject}no\s+longer\s+{verb}{value}{END}"))
        out.append((predicate, rf"{subject}{negated}{value}{ANYMORE}"))
    return tuple(out)


LEFT_JOB = (
    r"left|quit|resigned\s+from|(?:was|got)\s+(?:laid\s+off|fired|let\s+go)\s+(?:from|by)|"
    r"stopped\s+working\s+(?:at|for)"
)
SOLD = (
    r"(?:(?:have|has|['’]ve)\s+)?(?:finally\s+)?(?:sold|got\s+rid\s+of|scrapped|totalled|totaled|wrote\s+off|"
    r"given\s+up|gave\s+up)\s+(?:the|my|our)\s+"
)
RETRACTS: tuple[tuple[str, str], ...] = negations(
    (
        ("works_at", SP, r"(?:work|works|working)\s+(?:at|for)"),
        ("lives_in", SP, r"(?:live|lives|living)\s+in"),
        ("pet", SP, rf"(?:have|has)\s+(?:a|an|any)\s+(?:{PETS})s?"),
        ("likes", SP, r"(?:like|likes|love|loves|enjoy|enjoys)"),
        ("speaks", SP, r"(?:speak|speaks)"),
        ("reports_to", SP, r"(?:report|reports)\s+to"),
        ("allergy", SB, r"allergic\s+to"),
        ("spouse", SB, r"married"),
        ("works_at", SB, r"(?:working\s+|employed\s+)?at"),
        ("job", SB, r"an?"),
    )
) + (
    ("works_at", rf"{SP}(?:{LEFT_JOB})\s+(?:my\s+job\s+at\s+|the\s+)?(?P<v>.+)"),
    ("works_at", rf"{SP}(?:quit|left|lost)\s+my\s+job{END}"),
    ("lives_in", rf"{SP}(?:moved|have\s+moved|['’]ve\s+moved)\s+(?:out\s+of|away\s+from)\s+(?:the\s+)?(?P<v>.+)"),
    ("spouse", rf"{S}(?:{BE}{ADVERBS}|\s*(?:just\s+)?got\s+)divorced{END}"),
    ("reports_to", rf"{PERSON}\s+is\s+no\s+longer\s+my\s+(?:manager|boss|supervisor){END}"),
    ("pet", rf"my\s+(?:{PETS})\s+(?P<called>{PERSON})\s+(?:died|passed\s+away)"),
    ("car", rf"{SPW}{SOLD}(?P<v>{CAR_NAME})"),
)
"""Statements that take a fact back: (predicate, pattern), the `v` group naming the value when it is known."""

CALL_ME = (
    rf"(?:(?:you\s+can\s+|please\s+|just\s+)?call\s+me|(?:people|everyone|everybody|my\s+friends|friends)\s+call\s+me"
    rf"|I\s+go\s+by|I{BE}(?:called|known\s+as))"
)
REACH_ME = (
    r"(?:you\s+can\s+)?(?:(?:reach|contact|email|e-mail|mail|write\s+to|message|find|ping)\s+me|"
    r"(?:drop|shoot|send)\s+me\s+(?:a\s+line|an?\s+(?:e-?mail|note|message))|get\s+(?:in\s+touch|hold\s+of\s+me))"
)
RING_ME = (
    r"(?:you\s+can\s+)?(?:(?:reach|contact|call|text|ring|phone|message|whatsapp)\s+me|"
    r"(?:give|drop)\s+me\s+a\s+(?:call|ring|bell|text))"
)
BORN = rf"{S}\s*(?:was|were)\s+born"
SCHEDULE = (
    r"(?:\s+(?:part-time|full-time|part\s+time|full\s+time|freelance|remotely|from\s+home|nights|weekends|shifts|"
    r"evenings|on\s+the\s+side|there|now|currently|mostly))*"
)
"""How someone works, between the verb and the place ("I work part-time as a barista")."""
WORKING = (
    r"(?:(?:have|has)\s+been\s+|['’]ve\s+been\s+|am\s+|is\s+|['’]m\s+)?(?:work|works|working|intern|interns|"
    rf"interning){SCHEDULE}"
)
JOINED = r"joined|(?:got\s+)?hired\s+(?:at|by)|got\s+a\s+job\s+(?:at|with)|started\s+(?:working\s+)?(?:at|for)"
STUDIED = (
    r"(?:studied|study|studies|graduated|(?:am|is|['’]m)\s+studying|"
    r"did\s+my\s+(?:degree|masters|master['’]s|phd|bachelor['’]s|undergrad))(?:\s+(?-i:[a-z]+)){0,3}?"
)
FLUENCY = r"(?:(?:a\s+little|some|basic|fluent|conversational|decent|good|native)\s+)?"
LOVE = r"(?:(?:really|absolutely|genuinely|truly)\s+)?(?:love|loves|like|likes|enjoy|enjoys|adore|adores)"
PREFER = r"(?:prefer|prefers|(?:would|['’]d)\s+rather\s+(?:use|have)|favou?r)\s+(?:using\s+|to\s+use\s+)?"
HAVE = (
    r"(?:have|has|['’]ve\s+got|have\s+got|got|['’]ve)\s+(?:a|an|one|two|three|four|five|six|\d)"
    r"(?:\s+(?-i:[a-z][a-z-]+)){0,2}?"
)
"""Having someone, maybe described first ("I've a springer spaniel called Barnaby")."""
NAMED = r"(?:\s*[,:]\s*|\s+(?:named|called|whose\s+names?\s+(?:is|are))\s+)"
GREW_UP = r"grew\s+up|was\s+raised|were\s+raised|was\s+born\s+and\s+raised"
MANAGES = r"manages|supervises|oversees|is\s+managing"
SCHOOL = r"university|college|uni|school|grad\s+school"
OWNER = rf"(?P<s>my|our|{PERSON}(?=['’]s))(?:['’]s)?"
FIRM = words("startup start-up company firm agency studio business consultancy shop bank school hospital clinic lab")
CALLED_FIRM = rf"(?:an?\s+(?:(?-i:[a-z][\w-]*)\s+){{0,3}}?(?:{FIRM})\s+(?:called|named)\s+)"
"""How an employer may be introduced ("the CTO at a small startup called Brightmoss")."""
AS_JOB = r"(?:,?\s+as\s+(?:an?\s+|the\s+|our\s+)?(?P<job>.+))"
""" "... as a data engineer" after an employer."""
DRIVE = r"(?:drive|drives|am\s+driving|['’]m\s+driving|is\s+driving|['’]re\s+driving|are\s+driving)"
CAR_WORDS = r"(?:(?:new|used|old|second-hand|little|electric|hybrid|red|blue|black|white|silver|grey|gray|green)\s+)*"
TRADED = r"(?:traded|swapped|exchanged|replaced|part-exchanged)\s+(?:in\s+)?(?:the|my|our)\s+"
TEACH = r"(?:teach|teaches|am\s+teaching|['’]m\s+teaching|is\s+teaching)"
RETIRING = r"(?:before|until)\s+(?:I\s+|he\s+|she\s+)?retir"
WORKED = r"(?:worked|was\s+working|spent\s+[\w\s]{1,20}?\s+(?:at|with))"
LEISURE = (
    r"(?:(?:on|at|over)\s+(?:the\s+)?)?weekends?|in\s+my\s+(?:free|spare)\s+time|after\s+work|"
    r"most\s+(?:days|evenings|weekends|nights|mornings)|evenings|in\s+the\s+evenings|on\s+(?:sundays|saturdays)|"
    r"every\s+(?:weekend|sunday|saturday|day|evening|morning|week)"
)
"""When a hobby happens: "On weekends I'm mostly bouldering"."""
OFTEN = r"(?:(?:usually|often|mostly|regularly|always|sometimes|still)\s+)?"
GERUND = r"(?-i:[a-z]{3,}ing)\b"
PLAYED = (
    r"(?-i:[a-z]{3,})(?=\s+(?:in|on|with|at|every|most|twice|once|for|a\s+lot|regularly|competitively)\b|"
    r"\s*(?:$|[,.;!—–-]))"
)
"""What is played, one lower-case word ("I play volleyball in a rec league"), never "it" or "a role"."""
WHEN = rf"(?:(?:{LEISURE}),?\s+)?"
"""A hobby said with when it happens first ("weekends I play chess")."""
YEAR_OF = r"(?:(?:first|second|third|fourth|final|last|1st|2nd|3rd|4th)[\s-]+year|fresher|sophomore|junior|senior)"
NOT_FIELD = (
    r"(?:at|in|for|with|hard|late|abroad|online|from|to|on|a|an|the|my|every|all|it|this|that|here|there|"
    r"full-time|part-time|remotely|together|alone|well|a\s+lot|how|what|why|when|where|grad|graduate|phd|"
    r"masters|undergrad|undergraduate|exchange|international|mature|medical|high|year|abroad|student|"
    rf"now|currently|still|{YEAR_OF})\b"
)
FIELD = r"(?:[A-Za-z][a-z]+(?:\s+(?:and\s+)?(?!(?:at|in|for|with|from|on|now|this|next|last)\b)[A-Za-z][a-z]+){0,2})"
"""A field of study ("computer science", "Law", "politics and economics")."""
STUDY = (
    r"(?:study|studies|am\s+studying|['’]m\s+studying|is\s+studying|studied|majored\s+in|major\s+in|"
    r"(?:am|['’]m)\s+majoring\s+in|(?:am|['’]m)\s+doing\s+(?:a\s+|an\s+|my\s+)?(?:degree|masters|master['’]s|"
    r"phd|bsc|msc|ba|ma|bachelor['’]s|doctorate)\s+in|did\s+(?:a|my)\s+(?:degree|masters|master['’]s|phd|bsc|"
    r"msc|ba|ma|bachelor['’]s)\s+in)"
)
STUDENT_OF = r"(?:student|major|undergrad|undergraduate|postgrad|grad\s+student|phd\s+student)"
DIETS = r"vegetarian|vegan|pescatarian|pescetarian|flexitarian|teetotal|teetotaller|plant-based|kosher|halal"
INTOLERANT = r"lactose|gluten|fructose|histamine|caffeine|alcohol|wheat|dairy|egg|soy"
CONDITIONS = (
    r"asthma|diabetes|type\s+[12]\s+diabetes|epilepsy|co?eliac\s+disease|celiac\s+disease|ADHD|dyslexia|"
    r"migraines|eczema|arthritis|hypertension|high\s+blood\s+pressure|IBS|Crohn['’]s(?:\s+disease)?|"
    r"psoriasis|autism|anxiety|depression|tinnitus|sleep\s+apnoea|sleep\s+apnea"
)
CONDITION_OF = r"diabetic|co?eliac|celiac|epileptic|asthmatic|dyslexic|colou?r-?blind|autistic"
SWITCHED = (
    r"(?:(?:have|has)\s+|['’]ve\s+)?(?:switched|changed|converted|gone\s+over|gone|gotten|got)\s+"
    r"(?:over\s+)?(?:from\s+[\w\s-]{1,25}?\s+)?to\s+"
)
"""Taking up something in place of what came before ("I've switched to oat milk")."""
NOT_SWITCHED = (
    r"(?!(?:a|an|the|my|our|his|her|their|working|work|part-time|full-time|nights|bed|sleep|know|see|be|it|this|"
    r"that|him|them|school|uni|university|college)\b)"
)
BEEN_WITH = (
    r"(?=\s+(?:since\s+(?:\d{4}|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*|last\s+year|"
    r"the\s+start|the\s+beginning)|for\s+(?:[\w-]+\s+){0,2}(?:years?|months|decades?)))"
)
"""How long someone has been with an employer ("at Acme since 2021"): a place visited has no such span."""
PAST_JOB = (
    rf"(?:[\w\s,&]{{0,40}}?\s+(?:at|for|with)\s+(?:the\s+)?(?P<works_at>{LATIN_ORG}))?(?=[\w\s,&]{{0,40}}?{RETIRING})"
)
ROWS: tuple[tuple[str, str], ...] = (
    ("name", rf"{CALL_ME}\s+(?P<called>.+)"),
    ("email", rf"{REACH_ME}\s+(?:at|on|via|through|by)\s+(?:e-?mail\s+)?(?P<v>{EMAIL})"),
    ("phone", rf"{RING_ME}\s+(?:at|on|via)\s+(?P<v>{PHONE})"),
    ("birthday", rf"{BORN}\s+(?:on|in)\s+(?:the\s+)?(?P<v>{DATE})(?:\s+in\s+(?:the\s+)?(?P<hometown>{PLACE}))?"),
    ("hometown", rf"{BORN}\s+in\s+(?:the\s+)?(?P<v>{PLACE})(?:\s+(?:on|in)\s+(?:the\s+)?(?P<birthday>{DATE}))?"),
    ("email", rf"{REACH_ME}\s+(?P<v>{EMAIL})"),
    ("phone", rf"{RING_ME}\s+(?P<v>{PHONE})"),
    (
        "known",
        r"(?P<me>)(?P<thing>e-?mail(?:\s+address)?|phone(?:\s+number)?|number|mobile|cell|landline)"
        r"(?:\s+(?:is|are)|['’]s|\s*:)\s+(?P<v>.+)",
    ),
    ("age", rf"{SB}(?P<v>\d.*)"),
    ("age", rf"{SB}(?P<v>{NUMBER_WORD}\b.*)"),
    ("age", rf"{SP}turned\s+(?P<v>\d.*)"),
    ("age", r"(?P<me>)(?:which|that|this)\s+makes\s+me\s+(?P<v>\d.*)"),
    ("address", rf"{SPW}(?:live|lives|reside|resides)\s+at\s+(?P<v>\d.+)"),
    ("lives_in", rf"{SPW}(?:live|lives|reside|resides)\s+in\s+(?:the\s+)?(?P<v>.+)"),
    ("lives_in", rf"{WE}{BE}{ADVERBS}(?:living|based|located|residing|settled)\s+in\s+(?:the\s+)?(?P<v>.+)"),
    ("lives_in", rf"{SB}(?:living|based|located|residing|settled)\s+in\s+(?:the\s+)?(?P<v>.+)"),
    ("lives_in", rf"{SPW}(?:(?:have|has)\s+|['’]ve\s+)(?:lived|been\s+living)\s+in\s+(?:the\s+)?(?P<v>.+)"),
    ("hometown", rf"(?P<v>{PLACE})\s+is\s+where\s+(?P<s>I)\s+(?:{GREW_UP}|was\s+born|(?:am|['’]m)\s+from|come\s+from)"),
    (
        "lives_in",
        rf"(?P<v>{PLACE})\s+is\s+where\s+(?:(?P<s>I)|(?P<we>we))\s+(?:live|(?:am|are|['’]m|['’]re)\s+based)\b",
    ),
    (
        "lives_in",
        rf"(?P<me>){SPW}(?:(?:have|has)\s+|['’]ve\s+)?(?:just\s+)?(?:moved|relocated)\s+(?:back\s+)?to\s+(?:the\s+)?"
        rf"(?P<v>.+)",
    ),
    ("hometown", rf"{SB}(?:originally\s+)?from\s+(?:the\s+)?(?P<v>.+)"),
    ("hometown", rf"{SP}(?:come|comes)\s+from\s+(?:the\s+)?(?P<v>.+)"),
    ("hometown", rf"{SP}(?:{GREW_UP})\s+in\s+(?:the\s+)?(?P<v>.+)"),
    (
        "studies",
        rf"{SB}(?:an?\s+)?(?:{YEAR_OF}\s+)?(?!{NOT_FIELD})(?P<v>{FIELD})\s+(?P<job>{STUDENT_OF})\s+(?:at|in)\s+"
        rf"(?:the\s+)?(?P<studied_at>{ORG})",
    ),
    (
        "studies",
        rf"{YEAR_OF}\s+(?!{NOT_FIELD})(?P<v>{FIELD})(?:\s+{STUDENT_OF})?\s+(?:at|@)\s+(?:the\s+)?"
        rf"(?P<studied_at>{ORG})",
    ),
    (
        "studies",
        rf"(?P<me>){SP}{STUDY}\s+(?!{NOT_FIELD})(?P<v>{FIELD})(?:\s+(?:at|in)\s+(?:the\s+)?(?P<studied_at>{ORG}))?",
    ),
    ("studied_at", rf"{SB}(?:an?\s+)?(?P<job>{STUDENT})\s+(?:at|in)\s+(?:the\s+)?(?P<v>.+)"),
    ("works_at", rf"{SB}(?:(?:an?|the)\s+)?(?P<job>{JOB})\s+(?:at|for|with)\s+(?:the\s+|{CALLED_FIRM})?(?P<v>.+)"),
    ("", rf"(?P<v>{PERSON})\s+is\s+(?:our|the|a|an)\s+[^,;]{{1,40}}?\s+and\s+my\s+(?P<thing>{ROLE}){END}"),
    (
        "likes",
        rf"{SB}(?:an?\s+)(?:keen|avid|passionate|enthusiastic|amateur|committed|lifelong|obsessive|huge|big|"
        rf"massive|serious|casual)\s+(?!(?:{NOT_HOBBY})\b)(?P<v>(?-i:[a-z-]{{3,}}(?:er|ist|or|ian|ie)))\b",
    ),
    ("diet", rf"{SB}(?:an?\s+)?(?:(?:strict|lifelong|full|committed|mostly)\s+)?(?P<v>{DIETS}){END}"),
    ("diet", rf"as\s+an?\s+(?:(?:strict|lifelong|committed)\s+)?(?P<v>{DIETS})\s*,\s*(?=I\b|we\b)"),
    ("job", rf"as\s+an?\s+(?P<v>{JOB})\s*,\s*(?=I\b)"),
    ("intolerance", rf"{SB}(?:(?:severely|very|mildly|slightly|quite)\s+)?(?P<v>{INTOLERANT})[\s-]+intolerant\b"),
    ("intolerance", rf"{SB}intolerant\s+(?:to|of)\s+(?P<v>.+)"),
    ("intolerance", rf"{SP}(?:have|has)\s+(?:an?\s+)?(?P<v>{INTOLERANT})\s+intolerance\b"),
    (
        "condition",
        rf"{SP}(?:have|has|suffer\s+from|suffers\s+from|(?:was|got)\s+diagnosed\s+with)\s+"
        rf"(?P<v>(?-i:{CONDITIONS}))\b",
    ),
    ("condition", rf"{SB}(?P<v>{CONDITION_OF}){END}"),
    ("job", rf"{SP}(?:was|worked\s+as)\s+(?:an?\s+)?(?P<v>{JOB}){PAST_JOB}"),
    ("job", rf"{SB}(?:an?\s+)?retired\s+(?P<v>{JOB})"),
    ("job", rf"{SP}retired\s+as\s+(?:an?\s+|the\s+)?(?P<v>{JOB})"),
    (
        "job",
        rf"{SP}(?:(?:have|has)\s+been\s+|['’]ve\s+been\s+|was\s+|got\s+|just\s+got\s+)promoted\s+to\s+"
        rf"(?:an?\s+|the\s+)?(?P<v>.+)",
    ),
    ("job", rf"{SP}(?:became|(?:have|has|['’]ve)\s+become)\s+(?:an?\s+|the\s+)(?P<v>{JOB}.*)"),
    ("job", rf"{SB}(?:an?|the|our)\s+(?P<v>{JOB}.*)"),
    ("job", rf"{SB}(?P<v>retired){END}"),
    ("works_at", rf"{SP}{WORKED}\s+(?:at|for)\s+(?:the\s+)?(?P<v>{ORG})(?=\s+(?:[\w\s]{{1,25}}?\s+)?{RETIRING})"),
    ("works_at", rf"{SP}retired\s+from\s+(?:the\s+)?(?P<v>.+)"),
    ("works_at", rf"{SP}{TEACH}\s+(?:at|in)\s+(?:the\s+)?(?P<v>{ORG})"),
    ("teaches", rf"{SP}{TEACH}\s+(?P<v>(?-i:[A-Za-z][a-z]+(?:\s+[a-z]+)?))\s+(?:at|in)\s+(?:the\s+)?(?P<works_at>.+)"),
    ("teaches", rf"{SP}{TEACH}\s+(?P<v>.+)"),
    (
        "job",
        rf"{SP}(?:work|works|am\s+working|is\s+working|['’]m\s+working){SCHEDULE}\s+as\s+(?:an?\s+|the\s+)?"
        rf"(?P<v>.+?)\s+(?:at|for|with)\s+(?:the\s+|{CALLED_FIRM})?(?P<works_at>{ORG})",
    ),
    (
        "job",
        rf"{SP}(?:work|works|am\s+working|is\s+working|['’]m\s+working){SCHEDULE}\s+as\s+(?:an?\s+|the\s+)?"
        rf"(?P<v>.+)",
    ),
    ("job", rf"{SB}employed\s+as\s+(?:an?\s+)?(?P<v>.+)"),
    ("works_at", rf"{SP}{WORKING}\s+(?:at|for)\s+(?:the\s+|{CALLED_FIRM})?(?P<v>{ORG}){AS_JOB}"),
    ("works_at", rf"{SP}{WORKING}\s+(?:at|for)\s+(?:the\s+|{CALLED_FIRM})?(?P<v>.+)"),
    ("works_at", rf"{SB}employed\s+(?:at|by)\s+(?:the\s+)?(?P<v>.+)"),
    ("works_at", rf"{SP}(?:{JOINED})\s+(?:the\s+)?(?P<v>.+)"),
    (
        "works_at",
        rf"{SP}(?:start|starting|started)\s+(?:my\s+new\s+job\s+|a\s+new\s+job\s+)?at\s+(?P<v>(?-i:(?=[A-Z])){ORG})",
    ),
    (
        "works_at",
        rf"(?P<me>){SP}(?:(?:have|has)\s+|['’]ve\s+)?(?:just\s+|finally\s+)?(?:got|landed|accepted|took|"
        rf"started|scored|secured|bagged|snagged|began)\s+(?:a|an|the|my)\s+(?:new\s+)?(?:[\w-]+\s+){{0,2}}?"
        rf"(?:job|internship|position|role|placement|gig|post|apprenticeship|residency|fellowship|contract)\s+"
        rf"(?:at|with)\s+(?:the\s+)?(?P<v>{ORG}){AS_JOB}?",
    ),
    (
        "works_at",
        rf"(?P<me>){SP}(?:(?:have|has)\s+been|['’]ve\s+been|['’]s\s+been|been)\s+(?:at|with)\s+(?:the\s+)?(?P<v>{ORG})"
        rf"{BEEN_WITH}",
    ),
    ("works_at", rf"{SB}(?:now|currently)\s+(?:working\s+)?at\s+(?:the\s+)?(?P<v>.+)"),
    ("works_at", rf"{SB}at\s+(?P<v>{ORG})\s+(?:now|these\s+days|nowadays|currently)\b{AS_JOB}?"),
    ("reports_to", rf"{SP}(?:report|reports|am\s+reporting|['’]m\s+reporting)\s+(?:directly\s+)?to\s+(?P<v>.+)"),
    ("reports_to", rf"(?P<v>{PERSON})\s+(?:{MANAGES})\s+(?P<s>me|{PERSON})(?!['’]s){END}"),
    ("spouse", rf"{SB}(?:happily\s+)?married\s+to\s+(?P<v>.+)"),
    ("spouse", rf"{SP}married\s+(?P<v>{PERSON}){END}"),
    ("studied_at", rf"{SP}{STUDIED}\s+(?:at|from)\s+(?:the\s+)?(?P<v>.+)"),
    ("studied_at", rf"{SP}went\s+to\s+(?:{SCHOOL})\s+at\s+(?:the\s+)?(?P<v>.+)"),
    ("speaks", rf"{SPW}(?:speak|speaks|can\s+speak|(?:am|is|['’]m)\s+fluent\s+in)\s+{FLUENCY}(?P<v>.+)"),
    ("allergy", rf"{SB}(?:(?:severely|very|mildly|highly|quite)\s+)?allergic\s+to\s+(?P<v>.+)"),
    ("allergy", rf"{SP}(?:have|has)\s+(?:an?\s+|severe\s+)?(?P<v>(?-i:[a-z]+(?:\s+[a-z]+)?))\s+allerg(?:y|ies)\b"),
    ("preference", rf"{SP}{PREFER}(?P<v>.+)"),
    ("likes", rf"{SP}{LOVE}\s+(?P<v>.+)"),
    ("likes", rf"(?:{LEISURE}),?\s+{S}(?:{BE}|\s*{OFTEN}(?:go|do)\s+){ADVERBS}{OFTEN}(?P<v>{GERUND})"),
    ("likes", rf"{WHEN}{SP}{OFTEN}(?:go|goes)\s+(?P<v>{GERUND})"),
    ("likes", rf"{WHEN}{SP}{OFTEN}(?:play|plays)\s+(?P<v>{PLAYED})"),
    ("favourite team", rf"{SP}(?:support|supports|root\s+for|roots\s+for|cheer\s+for|cheers\s+for)\s+(?P<v>.+)"),
    ("preference", rf"{SP}{SWITCHED}{NOT_SWITCHED}(?P<v>.+)"),
    ("car", rf"{SPW}{DRIVE}\s+(?:an?\s+|the\s+)?{CAR_WORDS}(?P<v>.+)"),
    (
        "car",
        rf"(?P<me>){SPW}(?:(?:have|has|['’]ve)\s+)?(?:just\s+)?(?:bought|got|leased)\s+(?:an?\s+|the\s+)?{CAR_WORDS}"
        rf"(?P<v>{CAR_NAME})",
    ),
    ("car", rf"{SPW}{TRADED}(?:{CAR_NAME})\s+(?:in\s+)?for\s+(?:an?\s+|the\s+)?{CAR_WORDS}(?P<v>.+)"),
    ("likes", rf"{SB}(?:really\s+|very\s+)?(?:into|passionate\s+about|keen\s+on)\s+(?P<v>.+)"),
    ("likes", rf"{SB}(?:an?\s+)?(?:(?:big|huge|great|massive|die-hard)\s+)?fan\s+of\s+(?P<v>.+)"),
    ("", rf"{SPW}{HAVE}\s+(?P<thing>{ROLE})s?{NAMED}(?P<called>.+)"),
    ("colleague", rf"(?P<v>{PERSON})\s+(?:(?:is|works)\s+)?(?:on|from|in)\s+my\s+team\b"),
    ("", rf"{OWNER}\s+(?P<thing>{ROLE})(?:s\s*[,:]|(?<=children)\s*[,:]|\s*:)\s*(?P<v>{PERSON}.*)"),
    ("", rf"{OWNER}\s+(?P<thing>{ROLE})\s+is\s+(?:called|named)\s+(?P<called>.+)"),
    ("known", rf"(?P<v>{PERSON})\s+is\s+(?:the|a|an)\s+(?P<thing>{ROLE})\s+of\s+(?P<s>mine|{PERSON})(?!['’]s){END}"),
    ("", rf"(?P<v>{PERSON})\s+is\s+my\s+(?P<thing>{ROLE}){END}"),
    ("known", rf"(?P<v>[^,;]+?)\s+(?:is|are)\s+{OWNER}\s+(?P<thing>{THING}){TO_DO}{END}"),
    ("", rf"{OWNER}\s+(?P<thing>{THING})(?:\s+(?:is|are)|['’]s|\s*:)\s+(?P<v>.+)"),
    ("known", rf"{SB}(?P<v>{PERSON})['’]s\s+(?P<thing>{SYMMETRIC})\b"),
    ("name", rf"I{BE}(?P<v>{LATIN_NAME})(?:{END}|(?=\s+(?:from|here)\b))"),
    ("name", rf"(?P<v>{LATIN_NAME})\s+here{END}"),
)
"""What a clause states, first match wins: (predicate, pattern). The predicate "" is named by the `thing` group,
"known" likewise but only for a predicate of the vocabulary or a favourite; other groups named after a predicate
(`job`, `hometown`) add a fact about the same subject. `called` holds a name the speaker introduces."""

IMPERATIVES: tuple[tuple[str, str], ...] = (
    ("", rf"{POLITE}{FORGET}\s+{ABOUT}(?:my|our)\s+(?:(?:old|previous|former|current)\s+)?(?P<things>.+)"),
    ("", rf"{POLITE}{FORGET}\s+(?:that|the\s+fact\s+that)\s+(?P<clause>.+)"),
)
"""Requests to forget, asked as a question or not ("Could you delete my address?"): `things` lists what, or
`clause` states it ("forget that I live in Paris")."""
MY_ROLE_NAME = (
    rf"(?:\b(?P<o>my|our|his|her|their)|(?P<s>{LATIN_NAME})['’]s)\s+(?P<thing>{ROLE}),?\s+(?P<v>{PERSON}),?"
    rf"(?!['’]s\s+(?:{ROLE}))"
)
""""my sister Maria", "Daniel's brother Femi", "her husband Tobias", anywhere in a statement: Maria is the user's
sibling (Femi Daniel's, Tobias the spouse of whom "her" stands for), and a clause may go on about them."""

BREAK = r"[,;:]\s*|\s+(?:and|but|so|plus|then|also|while|whereas)\s+|\s+[-–—]+\s+"
LEAD = (
    r"(?:oh|ah|well|ok|okay|so|and|but|also|actually|anyway|anyways|btw|by\s+the\s+way|fyi|for\s+the\s+record|"
    r"just\s+so\s+you\s+know|for\s+your\s+information|sorry|oops|correction|update|no|nope|yes|yeah|yep|hi|hello|hey|"
    r"then|plus|now|right|alright|in\s+fact|to\s+be\s+honest|honestly|as\s+you\s+know|as\s+I\s+said|like\s+I\s+said|"
    r"I\s+mean|please\s+(?:remember|note|keep\s+in\s+mind)|remember|note|keep\s+in\s+mind|for\s+context|"
    r"(?:please\s+)?(?:don['’]t|do\s+not)\s+forget|just\s+to\s+let\s+you\s+know|I\s+should\s+mention|I\s+misspoke|"
    r"let\s+me\s+correct\s+(?:that|myself)|to\s+correct\s+myself|wait|quick\s+update|yesterday|today|recently|"
    r"(?:last|this)\s+(?:week|month|year)|these\s+days|nowadays|currently|at\s+the\s+moment|fun\s+fact|thanks|"
    r"thank\s+you|at\s+home|big\s+news|good\s+news|important)(?:\s+that)?\b[\s,:!.-]*"
)
"""Words that open a clause without being part of what it states ("Actually, ...", "Sorry, I misspoke: ...")."""
AUX = words(
    "do does did is are am was were can could would will should shall may might have has had must don['’]t "
    "doesn['’]t didn['’]t isn['’]t aren['’]t wasn['’]t won['’]t wouldn['’]t can['’]t couldn['’]t shouldn['’]t "
    "haven['’]t hasn['’]t"
)
WH = words("what what['’]?s which who who['’]?s whom whose where where['’]?s when why how hows wat wut")
ASKED_OF = words("I you we he she it they there this that my your his her our their the a an not")
COMMANDS = words(
    "tell remind show give list find explain help recall repeat write check look\\s+up search summari[sz]e describe "
    "guess let\\s+me\\s+know name fetch send draft translate calculate compute"
)
ASKS = (
    rf"(?:{WH})\b|(?:{AUX})\s+(?:{ASKED_OF}|{LATIN_NAME})\b|(?:please\s+)?(?:{COMMANDS})\b|"
    r"I\s+(?:want|need|would\s+like|['’]d\s+like)\s+to\s+know\b|I\s+(?:wonder|am\s+wondering|['’]m\s+wondering)\b|"
    r"any(?:thing|one)?\b|(?:thoughts|ideas|tips|suggestions|recommendations|advice)\s*\?"
)
"""A clause that asks or requests, by its opening words."""
TAG = (
    rf"(?:right|correct|ok|okay|yes|no|yeah|eh|huh|am\s+I\s+right|is\s+that\s+(?:right|correct)|"
    rf"(?:{AUX})(?:\s+not)?\s+(?:I|you|he|she|it|we|they))"
)
"""A confirmation tag ("..., right?", "..., don't I?"): the whole sentence is a question."""
HEDGE = (
    r"\b(?:wish|wished|would(?!\s+rather)|['’]d(?!\s+rather)|could|might|maybe|perhaps|probably|possibly|likely|"
    r"I\s+think|I\s+guess|I\s+believe|I\s+suppose|I\s+assume|not\s+sure|unsure|I\s+doubt|(?-i:will)|['’]ll|"
    r"going\s+to|gonna|plan(?:ning)?\s+to|want\s+to|hope|hoping|hopefully|thinking\s+(?:about|of)|considering|someday|"
    r"one\s+day|in\s+the\s+future|next\s+(?:week|month|year)|soon|apparently|supposedly|allegedly|seems?|kind\s+of|"
    r"sort\s+of|(?-i:may))\b"
)
"""Words that make a statement uncertain, wished for or future ("Maybe I'll move to Rome")."""
CONDITIONAL = r"\b(?:if|unless|suppose|supposing|imagine|pretend|hypothetically|whether|in\s+case)\b"
FRAMING = r"\b(?:suppose|supposing|imagine|pretend|hypothetically)\b"
"""Conditionals that frame the whole sentence, wherever they stand ("Let's pretend I live in Paris")."""
BARE_HEDGE = (
    r"(?:I\s+(?:think|guess|believe|suppose)|probably|maybe|perhaps|possibly|or\s+so|or\s+(?:maybe|perhaps)\b.*|"
    r"if\s+I\s+remember\s+(?:right|correctly)|not\s+sure)[\s.!?]*"
)
"""A clause that only hedges: it doubts the whole sentence ("My boss is Alice, I think")."""
RELATIVE = r"(?:who|whom|whose|which|where|when)\b"
"""A later clause opened so, in a sentence that does not ask, is a relative clause, not a question."""
FAVOURITE_NOUNS: tuple[tuple[str, str], ...] = (
    ("programming language", "language|programming language|coding language|computer language|language to code in"),
    ("colour", "colour|color"),
    ("movie", "movie|film"),
    ("book", "book|novel|read"),
    ("TV show", "tv show|show|series|tv series|tv programme|programme"),
    ("song", "song|track|tune"),
    ("food", "food|dish|meal"),
    ("band", "band|group"),
    ("drink", "drink|beverage"),
    ("hobby", "hobby|pastime"),
)
"""Nouns of "my favourite <noun>" that name the same favourite: "language" and "programming language" are one."""
ABBREVIATIONS = frozenset("e.g i.e mr mrs ms dr prof st vs cf approx mt ft jr sr".split())
"""Words a full stop follows without ending the sentence."""
SOFT_ABBREVIATIONS = frozenset("etc incl esp aka ca fig vol no nos pp min max ave rd".split())
"""Words whose full stop ends the sentence unless a lower-case word follows ("etc. and so on")."""
