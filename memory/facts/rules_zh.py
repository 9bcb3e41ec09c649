"""Chinese for the fact rules of `memory.facts.rules`: the patterns of what a user states in Simplified Chinese, the
nouns that name a fact, and the words that make a sentence a question, a request or a hypothesis.

Data only (pattern strings and word tables); `rules` compiles them and checks every value with the same shapes as
for English, so a name after 叫 is checked as a name and an address after 邮箱是 as an e-mail. Chinese has no spaces,
so names and places end where a function word or a verb begins (`GIVEN` excludes those characters), and the verb
after a place or a company (在腾讯工作) anchors where the value ends.
"""

HAN = "\u4e00-\u9fff"
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁"
    "潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱"
    "江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵钱严覃武戴莫孔汤"
)
"""The common surnames: a person named without an introduction (王芳在腾讯工作) must start with one."""

NOT_IN_NAME = (
    "的了是在住和跟与向管对也都很从给把被说会有要最更还就又不没今现已搬叫离加入去来"
    "做当姓岁年月日号我你他她它们这那，。；！？、"
)
GIVEN = f"(?:(?![{NOT_IN_NAME}])[{HAN}])"
NAME = f"(?:(?:欧阳|司马|诸葛|上官|东方|[{SURNAMES}小阿]){GIVEN}{{1,2}})"
"""A person's name standing alone: a surname (or 小/阿) and one or two given characters."""
LATIN = r"(?-i:[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2})"
"""A name in Latin letters inside a Chinese sentence (Natalie Koh 是 Wei Jie 的老板)."""
PERSON = f"(?:{NAME}|{LATIN})"
CALLED = f"{GIVEN}{{2,4}}"
"""A name the speaker introduces (我叫…, 我的猫叫咪咪): any two to four characters."""
PLACE = f"(?:(?!了|的|工作|上班|生活|居住|住|和|跟|与|附近|这|那|我|不|没)[{HAN}]){{2,10}}"
ORG = f"(?:(?!了|的|工作|上班|实习|做|当|担任|就职|任职|读书|上学|学习|毕业)[{HAN}A-Za-z0-9&]){{2,20}}"
NUMBER = r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})"
DATE = rf"(?:\d{{4}}年)?{NUMBER}月{NUMBER}[日号]|\d{{4}}年(?:\d{{1,2}}月)?"
LANGUAGE = (
    f"(?:(?:(?![和与及、跟这那的说讲])[{HAN}]){{1,4}}?(?:语|文|话)(?![{HAN}])"
    f"|(?:(?![和与及、跟这那的说讲])[{HAN}]){{1,4}}?(?:语|文|话)(?=[和与及跟也都很还说讲得比挺]))"
)
"""A language (中文, 英语, 普通话), standing as a whole word: "李明说文档写得不错" speaks none."""
JOB_NOUNS = (
    "工程师 程序员 开发者 开发人员 医生 护士 老师 教师 教授 律师 会计师 会计 设计师 产品经理 项目经理 经理 总监 主管 "
    "学生 研究生 博士生 大学生 中学生 记者 作家 编辑 厨师 司机 警察 销售 分析师 科学家 研究员 架构师 顾问 工人 农民 "
    "演员 歌手 画家 翻译 公务员 建筑师 药剂师 飞行员 运营 实习生 自由职业者 创业者 码农 消防员 军人 客服 摄影师 秘书 "
    "助理 咨询师 主播 博主 老板 店主 律师助理 开发 后端开发 前端开发 全栈开发 设计 测试 运维 主任 校长 副校长 院长 "
    "部长 组长 处长 科长 主席 总裁 董事长 总经理 副总 班主任 教导主任 护士长 技术负责人 负责人 店长 厨师长"
).split()
JOB = f"(?:(?![我你他她的是在])[{HAN}A-Za-z+#]){{0,8}}?(?:{'|'.join(sorted(JOB_NOUNS, key=len, reverse=True))})"
END = r"(?=$|[，,。.；;！!？?\s]|了)"

ROLE_WORDS: tuple[tuple[str, str], ...] = (
    ("reports_to", "经理 老板 上司 领导 主管 上级 直属领导 直属上司 直接领导 直接上司 顶头上司 导师"),
    ("spouse", "老婆 妻子 太太 老公 丈夫 爱人 先生 媳妇"),
    ("sibling", "哥哥 姐姐 弟弟 妹妹 兄弟 姐妹"),
    ("child", "儿子 女儿 孩子 小孩"),
    ("parent", "爸爸 妈妈 父亲 母亲 父母"),
    ("friend", "朋友 好朋友 闺蜜 好友"),
    ("colleague", "同事"),
    ("pet", "猫 狗 宠物 小猫 小狗 猫咪 狗狗"),
    ("girlfriend", "女朋友 女友"),
    ("boyfriend", "男朋友 男友"),
    ("roommate", "室友 舍友"),
    ("neighbour", "邻居"),
    ("cousin", "表哥 表姐 表弟 表妹 堂哥 堂姐 堂弟 堂妹"),
    ("grandparent", "爷爷 奶奶 外公 外婆 姥姥 姥爷"),
    ("parent-in-law", "婆婆 公公 岳父 岳母 丈母娘 老丈人"),
    ("sibling-in-law", "小姑子 大姑子 小叔子 大伯子 小舅子 大舅子 小姨子 大姨子 嫂子 弟媳 弟妹 姐夫 妹夫"),
)
"""The people a speaker names by role; girlfriend and boyfriend are free predicates, kept in English as the English
rules name them."""
THING_WORDS: tuple[tuple[str, str], ...] = ROLE_WORDS + (
    ("name", "名字 姓名 全名"),
    ("Chinese name", "中文名 中文名字"),
    ("English name", "英文名 英文名字"),
    ("email", "邮箱 电子邮箱 邮箱地址 电子邮件 邮件地址 电子邮件地址 邮件"),
    ("phone", "手机号 手机号码 手机 电话 电话号码 号码 联系电话 手机号是"),
    ("address", "地址 住址 家庭住址 家庭地址 家的地址 住的地方 门牌号"),
    ("wechat", "微信 微信号"),
    ("birthday", "生日 出生日期"),
    ("age", "年龄 岁数"),
    ("hometown", "家乡 老家 故乡 籍贯 出生地"),
    ("works_at", "公司 单位 雇主 工作单位"),
    ("job", "工作 职业 职位 岗位"),
    ("studied_at", "大学 母校 学校 毕业院校"),
    ("likes", "爱好 兴趣 兴趣爱好"),
    ("speaks", "母语"),
    ("allergy", "过敏原"),
    ("preference", "偏好"),
    ("car", "车 汽车 座驾 爱车"),
    ("studies", "专业 主修"),
    ("diet", "饮食"),
)
"""The nouns of `我的<thing>是…` and of 忘记我的<thing> that name a predicate of the vocabulary."""
NOUNS: tuple[tuple[str, str], ...] = (
    ("运动", "sport"), ("食物", "food"), ("菜", "food"), ("颜色", "colour"), ("编程语言", "programming language"),
    ("语言", "language"), ("书", "book"), ("电影", "movie"), ("水果", "fruit"), ("饮料", "drink"), ("歌手", "singer"),
    ("城市", "city"), ("歌", "song"), ("音乐", "music"), ("动物", "animal"), ("游戏", "game"), ("作家", "writer"),
    ("乐队", "band"), ("季节", "season"), ("花", "flower"), ("球队", "team"), ("演员", "actor"), ("国家", "country"),
    ("甜点", "dessert"), ("电视剧", "TV show"), ("节日", "holiday"), ("科目", "subject"),
)  # fmt: skip
"""What 我最喜欢的<noun> is called in the free predicate `favourite <noun>`; other nouns stay in Chinese."""
NON_FACTS = (
    "问题 意思 想法 看法 建议 观点 猜测 错 理由 目的 要求 希望 梦想 疑问 困惑 担心 计划 打算 原因 天 心 "
    "密码 验证码 银行卡 身份证 会议 航班"
).split()
NOT_EMPLOYER = (
    f"北京|上海|广州|深圳|杭州|成都|南京|武汉|西安|重庆|天津|苏州|香港|澳门|台北|中国|美国|国外|海外|外地|本地|"
    f"家|家里|[{HAN}]{{1,6}}[市省县区镇村]"
)
"""Where 我在<X>工作 names a place, not an employer (working in Beijing says nothing about the company)."""

THING = "|".join(sorted((w for _, words in THING_WORDS for w in words.split()), key=len, reverse=True))
PLACE_END = "省市县区州都京海江川南北东西国湖山港门湾圳建滨连肥昌锡波庆津宁林疆藏岛阳原沙汉"
PLACE_PEOPLE = f"(?:(?![一个好名位这那外本])[{HAN}]){{1,5}}[{PLACE_END}]"
"""The place of 我是<place>人: it ends as a place name does (成都人, 北京人), so 我是好人 or 我是年轻人 is none."""
THING_CHAR = f"(?:(?![不没也都还就又很最])[{HAN}A-Za-z-])"
ROLE = "|".join(sorted((w for _, words in ROLE_WORDS for w in words.split()), key=len, reverse=True))
ADVERBS = (
    "现在|目前|已经|一直|也|还|都|刚刚|刚|最近|今年|去年|从小|平时|真的|其实|上个月|上周|上星期|前几天|前段时间|"
    "终于|本来"
)
COUNT = "一个|一位|一只|一条|个|只|条|位|两个|两只|两条"
S = f"(?:(?P<s>我|他们|她们|他|她|它|{PERSON})\\s*)?(?:{ADVERBS})*"
"""The subject of a clause; absent when the clause continues the previous one's (我叫王芳，今年28岁)."""
SW = f"(?:(?P<we>我们全家|我们一家|我们家|我们|我家|全家|家里|一家人)(?:{ADVERBS})*|{S})"
"""A subject that may be the speaker's household (我们有个女儿, 家里还有一只猫)."""
RANK_BEFORE_NAME = (
    "(?:(?:公司|部门|我们|技术|产品|销售|运营|财务|人事)的?)?(?:副总裁|总裁|副总|总监|总经理|经理|主管|组长|老板|董事长|主任|"
    "院长|校长|合伙人|CEO|CTO|COO|CFO|VP)的?"
)
"""A title said before a name (向副总裁王建国汇报): not part of the name."""
ANIMAL = f"(?:一只|一条|两只|两条|只|条)[{HAN}]{{1,4}}?"
"""An animal counted as one (一只柯基): whatever it is, it is a pet."""

W = "[^，,。；;！!？?、：:]"
NEAR = "(?:附近|旁边|对面|边上|周边|楼下|楼上|隔壁)"
"""Where something is beside a place (我家在公司附近): not a place lived in."""
"""Any character of a value but punctuation: a value never runs on into the next clause."""
RESIDENCE = r"(?:花园|小区|公寓|家园|新村|大厦|社区|[0-9一二三四五六七八九十]+(?:号楼?|栋|幢|单元|室)|[苑弄巷])"
"""How a home address ends (锦城花园, 建国路88号, 3栋): where one lives, but not the city."""
AT = f"(?:(?:(?![我你他她])[{HAN}]){{2,12}}?的)?"
"""Where an employer or a school is, said before it (上海市徐汇区的启明小学): skipped, the value is what follows."""
OWNER = f"(?:(?P<we>我们家|我们|咱们|我家)|(?P<s>我|他|她|{NAME}))"
"""Whose role it is (我们儿子 is the speaker's, 她老公 that of whom 她 stands for)."""
TITLES = "校长|主任|院长|经理|总监|主管|组长|部长|老板|教授|老师|医生|领导|总"
"""A title before a name (我们学校的校长吴建国是我的直接领导)."""
CONTACT = "邮箱|电子邮箱|邮箱地址|电子邮件|手机号码|手机号|电话号码|手机|电话|联系电话"
"""Contact details given without a subject (邮箱是…): the speaker's."""
WORK = "工作|上班|就职|任职|实习|教书|任教|执教|打工|兼职"
NOT_FIELD = "研|博|本科|大[一二三四]|高[一二三]|初[一二三]|书|硕士|博士|完|了"
"""What follows 读 that is a level, not a field (读研, 读大二)."""
VALUE = "(?P<v>.+)"
FAVOURITE_BY = f"(?P<me>)(?:(?P<s>我|{NAME})(?:也|还)?)?(?:{ADVERBS})*最(?:喜欢|爱)"
ROWS: tuple[tuple[str, str], ...] = (
    ("favourite food", rf"{FAVOURITE_BY}吃(?:的(?:就|也)?是)?(?P<v>.+)"),
    ("favourite drink", rf"{FAVOURITE_BY}喝(?:的(?:就|也)?是)?(?P<v>.+)"),
    (
        "favourite",
        rf"(?P<me>)(?:(?P<s>我|{NAME})(?:也|还)?)?(?:{ADVERBS})*最(?:喜欢|爱)的(?P<thing>{THING_CHAR}{{1,6}}?)(?:就|也|还)?(?:是|叫){VALUE}",
    ),
    ("favourite", rf"(?P<v>[^，,。是]{{1,20}}?)是(?P<s>我|{NAME})最喜欢的(?P<thing>[{HAN}A-Za-z]{{1,6}}?){END}"),
    ("name", r"我(?:的名字)?(?:叫|名叫|叫做)(?P<called>.+)"),
    ("name", r"(?:你|大家|朋友们|别人)?(?:可以|就)?叫我(?P<called>.+)"),
    ("name", rf"我是(?P<v>{NAME}){END}"),
    ("", r"(?:我的)?(?P<thing>中文名字?|英文名字?)(?:叫|是)\s*(?P<called>.+)"),
    ("known", rf"(?:{W}{{0,12}}?(?:{TITLES}))?(?P<v>{PERSON})\s*是\s*(?P<s>我|{PERSON})\s*的?(?P<thing>{ROLE}){END}"),
    ("", rf"{OWNER}的?(?P<thing>{ROLE})(?:叫|名叫|叫做)\s*(?P<called>.+)(?P<then>)"),
    ("", rf"{OWNER}的?(?P<thing>{ROLE})(?:{ADVERBS})*是(?P<v>.+)"),
    ("", rf"(?P<me>)(?P<thing>{CONTACT})(?:是|为|：|:)\s*(?P<v>.+)"),
    ("birthday", rf"{S}(?:是|在|于)?(?P<v>{DATE})(?:出生|生)"),
    ("birthday", rf"{S}出生(?:于|在)(?P<v>{DATE})"),
    ("hometown", rf"{S}(?:出生(?:于|在)|来自|的?(?:老家|家乡)(?:其实|本来|就|也)?(?:是|在))(?P<v>.+)"),
    ("hometown", rf"{S}(?:从小)?在(?P<v>{W}{{2,12}}?)长大"),
    ("hometown", rf"{S}(?:是)?(?P<v>{PLACE_PEOPLE})(?:本地)?人{END}"),
    ("hometown", rf"(?P<v>{W}{{2,10}}?)是(?P<s>我)(?:从小)?(?:长大|出生)的地方"),
    ("age", rf"{S}(?:今年|现在|已经)*(?P<v>(?:\d{{1,3}}|{NUMBER})(?:周)?岁)"),
    ("age", rf"{S}(?:今年|现在)(?:已经|都)?(?P<v>\d{{1,3}})(?=了|啦)"),
    ("address", rf"{SW}(?:住在|住)(?P<v>{W}{{2,30}}?(?:{RESIDENCE}))(?!{W})"),
    ("lives_in", rf"{SW}(?:住在|生活在|居住在|定居在|定居于|住于|住)(?P<v>.+)"),
    ("lives_in", rf"{S}在(?P<v>{W}{{2,12}}?)(?:生活|居住|定居)"),
    ("lives_in", rf"{SW}(?:搬到|搬去|搬来|搬家到|移居到|移居)了?(?P<v>.+)"),
    ("works_at", rf"{S}在\s*{AT}(?P<v>{W}{{2,20}}?)\s*(?:做|当|担任)(?P<job>{JOB})"),
    ("works_at", rf"{S}是(?P<v>{W}{{2,20}}?)的(?P<job>{JOB}){END}"),
    ("works_at", rf"{S}在\s*{AT}(?P<v>{W}{{2,20}}?)\s*(?:{WORK})"),
    ("works_at", rf"{S}(?:跳槽到|跳槽去|加入|入职|就职于|任职于)了?(?P<v>.+)"),
    ("works_at", rf"(?P<me>){S}(?:去|到)(?P<v>{W}{{2,20}}?)(?:报到|入职)"),
    ("works_at", rf"{S}(?:拿到|找到|得到|获得)了?\s*(?P<v>{W}{{2,20}}?)\s*的(?:实习|工作|职位|岗位)"),
    ("works_at", rf"{S}在\s*(?P<v>{W}{{2,20}}?)\s*(?:待|呆)了(?:{NUMBER}|两|几|好几|多)(?:年|多年)"),
    (
        "lives_in",
        rf"{S}在\s*(?P<v>{W}{{2,20}}?)\s*(?:待|呆|住)了(?:快|近|将近|差不多|大概)?(?:{NUMBER}|两|几|好几|多)(?:年|多年)",
    ),
    ("lives_in", rf"(?P<we>我们家|我家)(?:就|也|都)?(?:住)?在(?!{W}*{NEAR})(?P<v>{W}{{2,12}}?){END}"),
    ("studied_at", rf"{S}(?:毕业于|毕业自)(?P<v>.+)"),
    ("studied_at", rf"{S}在\s*{AT}(?P<v>{W}{{2,20}}?)\s*(?:读书|上学|读大学|上大学|念书|学习|读研|读博|留学)"),
    (
        "studied_at",
        rf"{S}在\s*{AT}(?P<v>{W}{{2,20}}?)\s*(?:读|学|念)(?!{NOT_FIELD})(?P<studies>[{HAN}]{{2,6}}?)(?:专业)?{END}",
    ),
    ("studied_at", rf"{S}是(?P<v>{W}{{2,20}}?)毕业的"),
    (
        "studies",
        rf"(?P<me>){S}(?:是|读|学|念)?(?:的是)?(?P<v>(?:(?![我你他她是的])[{HAN}]){{2,8}}?)专业(?:的)?(?:学生|研究生|本科生|博士生)?{END}",
    ),
    ("studies", rf"{S}(?:学|读|念|主修)的是(?!{NOT_FIELD})(?P<v>[{HAN}A-Za-z ]{{2,10}}?)(?:专业)?{END}"),
    ("studies", rf"{S}主修(?P<v>.+)"),
    ("job", rf"{S}是(?:一名|一个|一位|名|个|位)?(?P<v>{JOB}){END}"),
    ("job", rf"{S}在\s*(?P<lives_in>{PLACE_PEOPLE})\s*(?:做|当|担任)(?P<v>{JOB}){END}"),
    ("job", rf"{S}(?:当(?!上)|从事)(?P<v>{JOB})(?:工作)?{END}"),
    ("job", rf"{S}是?做(?P<v>[{HAN}]{{1,6}}?)(?:工作)?的{END}"),
    ("job", rf"{S}(?:被|已经)?(?:提拔|提升|晋升|升职|升|调|转)(?:为|成|到|成为|任)了?(?:一名|一个)?(?P<v>{JOB}){END}"),
    ("job", rf"{S}(?:当上了?|成为了?|升任|升任为|担任|转正成为)了?(?:一名|一个|一位)?(?P<v>{JOB}){END}"),
    ("car", rf"{SW}开的是(?P<v>.+)"),
    ("car", rf"{SW}(?:开|开着)(?:一辆|辆)(?P<v>.+)"),
    ("car", rf"(?P<me>){SW}(?:买了|换了|提了)(?:一辆|辆)(?:新的?)?(?P<v>.+)"),
    ("reports_to", rf"(?P<v>{NAME})(?:管理|领导)(?P<s>我|{NAME})"),
    ("reports_to", rf"{S}(?:直接)?(?:向|给)(?:{RANK_BEFORE_NAME})?(?P<v>.+?)汇报"),
    ("reports_to", rf"{S}(?:直接)?汇报给(?P<v>.+)"),
    ("spouse", rf"{S}(?:和|跟|与)(?P<v>.+?)结婚了?"),
    ("spouse", rf"{S}(?:嫁给了|娶了)(?P<v>.+)"),
    ("", rf"{SW}(?:有|养了?)(?:{COUNT})?(?P<thing>{ROLE})[，,]?(?:叫|名叫|叫做)(?P<called>.+)(?P<then>)"),
    ("pet", rf"{SW}(?:有|养了?|养着)(?:{ANIMAL})[，,]?\s*(?:叫|名叫|叫做)(?P<called>.+)(?P<then>)"),
    ("preference", rf"{S}(?:更喜欢|更偏好|更偏爱|偏好|更倾向于|倾向于|更爱)(?:用|使用)?(?P<v>.+)"),
    ("preference", rf"(?P<s>我)(?:{ADVERBS})*(?:改成|改喝|改吃|改用|改玩|换成|换用|转用|改为|改喝了|换喝)了?(?P<v>.+)"),
    ("diet", rf"{S}(?:是)?(?:一个|一名)?(?P<v>吃素|吃全素|素食主义者|素食者|纯素食者|纯素|吃清真|穆斯林)"),
    ("intolerance", rf"{S}(?:对)?(?P<v>乳糖|麸质|{W}{{1,4}}?)不耐受?"),
    ("likes", rf"{S}对(?P<v>.+?)(?:很|非常|特别)?感兴趣"),
    ("allergy", rf"{S}对(?P<v>.+?)过敏"),
    ("allergy", rf"{S}(?!有点|有些|很|比较|经常|容易|季节性|严重)(?P<v>{W}{{1,8}}?)过敏"),
    ("likes", rf"{S}(?:很|非常|特别|超级|也|还|最|真的)*(?:喜欢|热爱|爱)(?:用|玩)?(?P<v>.+)"),
    ("speaks", rf"{S}(?:会说|会讲|能说|说|讲|会)(?:一点|一些|流利的|一口流利的)?(?P<v>.+)"),
    ("", rf"(?P<s>我|{NAME})的(?P<thing>{THING_CHAR}{{1,8}}?)(?:是|叫|为|：|:)\s*(?P<v>.+)"),
    ("known", rf"{S}的?(?P<thing>{THING})(?:是|为|：|:)\s*(?P<v>.+)"),
)
"""What a clause states, first match wins: (predicate, pattern). The predicate "" is named by the `thing` group,
"known" likewise but only for a predicate of the vocabulary, "favourite" gives `favourite <thing>`."""

RETRACTS: tuple[tuple[str, str], ...] = (
    ("works_at", rf"{S}(?:已经)?不再?在(?P<v>{W}{{2,20}}?)(?:工作|上班)了"),
    ("works_at", rf"{S}(?:已经不再?|不再)在(?P<v>{W}{{2,20}}?)(?:工作|上班)"),
    ("works_at", rf"{S}(?:从(?P<v>{W}{{2,20}}?))?(?:离职|辞职)了"),
    ("works_at", rf"{S}离开了(?P<v>.+)"),
    ("lives_in", rf"{S}(?:已经)?不再?住在(?P<v>.+?)了"),
    ("lives_in", rf"{S}(?:搬离了|搬出了|离开了)(?P<v>.+)"),
    ("pet", rf"{S}(?:已经)?(?:没有|不再养|不养)(?:猫|狗|宠物)了"),
    ("likes", rf"{S}(?:已经)?不再喜欢(?P<v>.+)"),
    ("allergy", rf"{S}(?:已经)?不再对(?P<v>.+?)过敏"),
    ("spouse", rf"{S}(?:已经)?离婚了"),
)
"""Statements that take a fact back (我已经不在腾讯工作了)."""
POLITE = "(?:请|麻烦你?|你可以|你能|能不能|可以|帮我)?"
ERASE = "删除|删掉|删了|清除|清掉|去掉|抹掉|忘掉"
"""The verbs of erasing that every kind of request to forget shares."""
NOT_REMEMBER = "不要再?记住?|别再?记住?|不用再?记住?"
FORGET = f"忘记|忘了|{ERASE}|移除|{NOT_REMEMBER}"
THING_SEPARATOR = r"和|、|跟|以及|与|，|,"
TOPIC_FORGET = f"{ERASE}|移除|{NOT_REMEMBER}|不必再?记住?"
"""The verbs of a request that names its topic first (生日那条删掉吧): not 忘了 or 忘记, which after a topic more
often say that someone forgot it (我生日你忘了吗)."""
FORGET_REQUEST = (
    rf"(?:别|不要|不用|不必|甭|不想让你|别让你)(?:再)?(?:存|留|记|保存|保留|记住|记着|记下|存着|留着)|{ERASE}"
)
"""A request, anywhere in a sentence, that the assistant not keep something (手机号那个你别存了, 那个微信号也别留着
了): what it names is in the same sentence."""
HOW_TO = r"怎么|如何|怎样"
IMPERATIVES: tuple[tuple[str, str], ...] = (
    ("", rf"{POLITE}(?:{FORGET})(?:关于)?我的?(?P<things>.+)"),
    ("", rf"{POLITE}把我的?(?P<things>.+?)(?:忘掉|忘记|忘了|删掉|删除|删了|清除|清掉|去掉)"),
    (
        "",
        rf"(?:关于)?(?:我的?)?(?P<things>(?:{THING})(?:(?:{THING_SEPARATOR})(?:{THING}))*)"
        rf"(?:的?(?:那条|这条|那个|这个|那些|这些|信息|记录))?(?:你|也|就|都|先|还是|可以|帮我|请|麻烦你?)*"
        rf"(?:{TOPIC_FORGET})",
    ),
)
"""Requests to forget (忘记我的邮箱, 别记我的生日了, and the topic first: 住址那条你删掉吧, 手机号也别记了): the
`things` group lists what; a topic named first must be a word of the vocabulary."""
THING_FILLER = r"^我的?|(?:吧|了|吗|呢|好吗|谢谢|的?信息|的?记录)+$"

QUESTION = (
    r"吗|么[？?]?$|呢[？?]?$|吧[。？?！!]?$|什么|啥|咋|哪|谁|几(?!乎)|多少|多大|怎么|怎样|如何|为什么|为何|何时|"
    r"是否|([\u4e00-\u9fff])[不没]\1"
)
"""A Chinese clause that asks: a question particle or word, or the A-not-A form (是不是, 有没有)."""
REQUEST = (
    r"(?:请(?!叫我|记住|记下|注意)|麻烦|帮我|帮忙|告诉我|提醒我|给我|说说|讲讲|查一下|查查|"
    r"你能|你可以|能否|能不能|可以)"
)
TAG = r"对吧|是吧|对吗|是吗|对不对|是不是|没错吧|对么|吧"
HEDGE = (
    r"希望|但愿|想要|打算|准备|可能|也许|或许|大概|估计|好像|似乎|我觉得|我想|我猜|我认为|不确定|不知道|将要|将会|"
    r"以后|将来|明年|下个月|下周|下星期|计划|会去|会搬|想去|想搬|要搬|要去|应该"
)
CONDITIONAL = r"如果|要是|假如|假设|假使|万一|倘若"
LEAD = (
    r"(?:对了|顺便说一下|顺便说|顺便|另外|还有|其实|说真的|哦|啊|嗯|好的|是的|不对|抱歉|不好意思|我说错了|说错了|"
    r"更正一下|纠正一下|更正|纠正|补充一下|请记住|记住|请记下|记一下|记下|请注意|你好|您好|嗨|哈喽|现在|目前|最近|"
    r"上个月|上周|上星期|去年|前几天|前段时间|昨天|刚刚)"
    r"[，,：:！!\s]*"
)
"""Words that open a clause without being part of what it states."""
BREAK = r"而且|并且|但是|不过|所以|同时|另外|然后"
NAME_FOLLOWER = "是在住也和跟今去现已的最很喜搬管向对会说有离加跳毕来还都"
MY_ROLE_NAME = (
    rf"(?:(?P<o>我|他|她)的?|(?P<s>{NAME})的)(?P<thing>{ROLE})\s*(?P<v>{NAME}|{LATIN})"
    rf"(?=[，,。；！？\s{NAME_FOLLOWER}]|$)"
)
"""我的同事王芳…, 孙悦的哥哥孙强…: the role is a fact, and the clause goes on about the person named."""
