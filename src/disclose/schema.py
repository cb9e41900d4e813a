"""The editors' contract as data: the table of kinds, their fields, value types, choices and
basis codes.

One table of kinds drives the folders, the field rules, the typed conversion, the listings,
labels, feeds and open data, `disclose new` and the editors' documentation, so none of them can
drift from the others. The built-in kinds are its first entries; a site's categories (site.yaml
`categories`, read by categories.py) are entries of the same table, made by the same function
(`make_kind`). Behaviour of a kind of its own (a response's deadline, a policy's pairing) lives in
the rules and records that need it, keyed by the kind's id.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property

# 不公开理由: code -> (中文, source)
BASIS = {
    "state-secret": ("属于国家秘密", "条例 第十四条"),
    "prohibited-by-law": ("法律行政法规禁止公开", "条例 第十四条"),
    "security-stability": ("危及“三安全一稳定”", "条例 第十四条"),
    "commercial-secret": ("涉及商业秘密", "条例 第十五条"),
    "personal-privacy": ("涉及个人隐私", "条例 第十五条"),
    "third-party-rights": ("保护第三方合法权益", "条例 第十五条"),
    "internal-affairs": ("属于三类内部事务信息", "条例 第十六条"),
    "process-info": ("属于四类过程性信息", "条例 第十六条"),
    "enforcement-file": ("属于行政执法案卷", "条例 第十六条"),
    "administrative-query": ("属于行政查询事项", "年度报告格式"),
    "on-request-only": ("依申请公开", "条例 第二十七条"),
}


def _plain_name(text: str) -> str:
    """A basis name without the words editors vary: 属于, 三类/四类, quotes and spaces."""
    for word in ("属于", "三类", "四类", "“", "”", '"', " ", "　", "(other)"):
        text = text.replace(word, "")
    return text


# Chinese names accepted for basis codes: the contract's (属于过程性信息), this table's
# (属于四类过程性信息) and the bare noun (过程性信息) all name `process-info`.
BASIS_NAMES = {_plain_name(label): code for code, (label, _) in BASIS.items()}


def basis_list(sep: str = "、") -> str:
    """Every basis code with its Chinese name, for messages: process-info（属于四类过程性信息）、…"""
    return sep.join(f"{code}（{label}）" for code, (label, _) in BASIS.items())


DISCLOSURE = {"public": "主动公开", "on-request": "依申请公开", "withheld": "不予公开"}
SECRET_CLASSES = ("绝密", "机密", "秘密")
STATUSES = ("有效", "失效", "废止", "已修改")
FORMS = {"text": "文字解读", "graphic": "图解", "qa": "问答", "video": "音视频"}
APPLICANT_TYPES = {
    "natural-person": "自然人",
    "business": "商业企业",
    "research": "科研机构",
    "nonprofit": "社会公益组织",
    "legal-service": "法律服务机构",
    "other": "其他",
}
OUTCOMES = {
    "disclosed": "予以公开",
    "partly-disclosed": "部分公开",
    "withheld": "不予公开",
    "cannot-provide": "无法提供",
    "not-processed": "不予处理",
    "other-handling": "其他处理",
}
REASONS = {
    "cannot-provide": {
        "not-held": "本机关不掌握相关政府信息",
        "needs-creation": "没有现成信息需要另行制作",
        "unclear": "补正后申请内容仍不明确",
    },
    "not-processed": {
        "petition": "信访举报投诉类申请",
        "repeated": "重复申请",
        "publication": "要求提供公开出版物",
        "excessive": "无正当理由大量反复申请",
        "confirmation": "要求行政机关确认或重新出具已获取信息",
    },
    "other-handling": {
        "no-correction": "申请人无正当理由逾期不补正",
        "unpaid-fee": "申请人逾期未按收费通知要求缴纳费用",
        "other": "其他",
    },
}
ALL_REASONS = {code: label for group in REASONS.values() for code, label in group.items()}
BODY_TYPES = {"npc": "人大代表建议", "cppcc": "政协提案"}
# 重大行政决策事项目录: where a planned decision stands (absent: 计划中)
DECISION_STATUSES = ("计划中", "征求意见中", "已决策", "调整")


FIELD_TYPES = ("text", "int", "number", "date", "bool", "choice", "list", "ref", "updates")
"""The value types a category's field may have (site.yaml); `list` is stored as `texts`."""


@dataclass(frozen=True)
class FieldSpec:
    """One front-matter field: its value type, whether it is required, its allowed values, and how
    the item page's 公开目录 box shows it (`info`: its row label there, None: not shown there)."""

    name: str
    label: str
    type: str  # text, date, bool, int, number, texts, refs, ref, review, choice, updates
    required: bool = False
    choices: tuple[str, ...] = ()
    synonyms: Mapping[str, str] = field(default_factory=dict)  # a choice's other name -> its code
    choice_labels: Mapping[str, str] = field(default_factory=dict)  # a choice's code -> the label shown
    info: str | None = None
    absent: str = ""  # what the box shows when the item does not give the field ("" : no row)

    def choice(self, text: str) -> str:
        """The code `text` names: itself, or the code of a synonym (basis 过程性信息 -> process-info)."""
        if text in self.choices or not self.synonyms:
            return text
        return self.synonyms.get(_plain_name(text), text)

    def shown(self, code: str) -> str:
        """A choice's label as the site shows it (申请人类型 natural-person -> 自然人)."""
        return self.choice_labels.get(code, code)


def _f(
    name: str,
    label: str,
    type_: str,
    required: bool = False,
    choices: Iterable[str] | Mapping[str, str] = (),
    synonyms: Mapping[str, str] | None = None,
    info: str | None = None,
    absent: str = "",
) -> FieldSpec:
    labels = dict(choices) if isinstance(choices, Mapping) else {}
    return FieldSpec(name, label, type_, required, tuple(choices), synonyms or {}, labels, info, absent)


COMMON = (
    _f("kind", "类别", "choice"),  # its choices are the ids of the site's table of kinds (Kinds.fields_for)
    _f("title", "信息名称", "text", required=True),
    _f("issuer", "发布机构", "text", required=True),
    _f("published", "发布日期", "date", required=True),
    _f("written", "成文日期", "date"),
    _f("index_no", "索引号", "text"),
    _f("topics", "主题分类", "texts"),
    _f("summary", "内容概述", "text"),
    _f("keywords", "关键词", "texts"),
    _f("disclosure", "公开属性", "choice", choices=DISCLOSURE),
    _f("basis", "不公开理由", "choice", choices=BASIS, synonyms=BASIS_NAMES),
    _f("review", "保密审查", "review"),
    _f("draft", "草稿", "bool"),
    _f("attachments", "附件", "texts"),
    _f("classification", "密级", "text"),
    # fields whose values are examples, not facts of a real document (the sample site's 文号 and
    # dates its sources do not print): shown marked 样例 and left out of open data and JSON-LD
    _f("sample_fields", "样例字段", "texts"),
    _f("late_reason", "延迟公开原因", "text"),  # 未及时公开 (T620) or, for an interpretation, 未同步 (P404)
)
COMMON_NAMES = frozenset(spec.name for spec in COMMON)

REVIEW_KEYS = ("by", "date", "next")
UPDATE_KEYS = ("at", "text")


@dataclass(frozen=True)
class Kind:
    """One kind of record: a built-in kind or a category of a site (site.yaml `categories`).

    Everything the site does with a kind that is not behaviour of its own comes from here: the
    folder its files live in, its name on the site, its fields, its legal source, and whether it
    has a listing (with feed and browsing) under 法定主动公开内容.
    """

    id: str
    title: str  # the column's name on the site
    folder: str  # under content/, and the listing's URL
    fields: tuple[FieldSpec, ...] = ()  # its own fields, besides the common ones
    basis: str = ""  # the legal source, shown on its listing
    listed: bool = True  # has a listing, a feed and a place in browsing (栏目页 have none)
    optional: tuple[str, ...] = ()  # common fields this kind does not require (a page needs only a title)


def make_kind(
    id: str,
    title: str,
    *,
    fields: tuple[FieldSpec, ...] = (),
    folder: str | None = None,
    basis: str = "",
    listed: bool = True,
    optional: tuple[str, ...] = (),
) -> Kind:
    """An entry of the table of kinds: the one constructor of built-in kinds, of the `statutory`
    set and of a site's own categories (a category's folder is its id)."""
    return Kind(id, title, folder or id, tuple(fields), basis, listed, tuple(optional))


BUILTIN_KINDS = (
    make_kind(
        "policy",
        "政策文件",
        folder="policies",
        basis="条例 第二十条第（一）项",
        fields=(
            _f("doc_no", "文号", "text", required=True),
            _f("drafter", "起草单位", "text"),
            _f("normative", "行政规范性文件", "bool"),
            _f("regulation", "政府规章", "bool"),
            _f("effective", "施行日期", "date", info="施行日期"),
            _f("expires", "有效期至", "date", info="有效期至"),
            _f("supersedes", "同时废止", "refs"),
            _f("status", "有效性", "choice", choices=STATUSES),
            _f("registration_no", "登记号", "text"),
            _f("consultation", "征求意见", "ref"),
            _f("no_consultation_reason", "未公开征求意见原因", "text"),
            _f("amends", "所修改的文件", "refs"),
        ),
    ),
    make_kind(
        "interpretation",
        "政策解读",
        folder="interpretations",
        basis="国办发〔2016〕80号（谁起草谁解读、同步发布）",
        fields=(
            _f("interprets", "所解读文件", "ref", required=True),
            _f("form", "解读形式", "choice", choices=FORMS, info="解读形式", absent=FORMS["text"]),
        ),
    ),
    make_kind(
        "decision",
        "会议决定事项",
        folder="decisions",
        fields=(
            _f("meeting", "会议名称", "text", info="会议名称"),
            _f("meeting_date", "会议日期", "date", info="会议日期"),
            _f("major", "重大行政决策", "bool", info="重大行政决策"),
            _f("handler", "承办单位", "text"),
            _f("planned", "计划决策时间", "text"),
            _f("status", "决策状态", "choice", choices=DECISION_STATUSES),
            _f("adjust_reason", "调整原因", "text"),
            _f("consultation", "征求意见", "ref"),
            _f("no_consultation_reason", "未公开征求意见原因", "text"),
            _f("hearing", "听证会", "text"),
            _f("final_decision", "决策结果", "ref"),
        ),
    ),
    make_kind(
        "consultation",
        "公开征求意见",
        folder="consultations",
        fields=(
            _f("opens", "开始日期", "date", info="征求意见开始"),
            _f("closes", "截止日期", "date", info="征求意见截止"),
            _f("feedback", "意见采纳情况", "ref"),
            _f("short_reason", "征求意见期限缩短原因", "text"),
        ),
    ),
    make_kind(
        "suggestion-reply",
        "建议提案办理结果",
        folder="suggestions",
        fields=(
            _f("proposal_no", "建议/提案编号", "text", info="编号"),
            _f("body_type", "类型", "choice", choices=BODY_TYPES, info="类型"),
            _f("handler", "承办单位", "text", info="承办单位"),
            _f("assigned", "交办日期", "date"),
            _f("due", "办理期限", "date"),
            _f("replied", "答复日期", "date"),
        ),
    ),
    make_kind(
        "response",
        "依申请公开答复",
        folder="responses",
        basis="条例 第三十三条、第三十六条",
        fields=(
            _f("request_no", "申请编号", "text", required=True, info="申请编号"),
            _f("received", "收到申请日期", "date", required=True, info="收到申请日期"),
            _f("replied", "答复日期", "date", info="答复日期", absent="办理中"),
            _f("extended", "延期答复", "bool"),
            _f("paused_days", "不计算在期限内的工作日", "int"),
            _f("applicant_type", "申请人类型", "choice", choices=APPLICANT_TYPES, info="申请人类型"),
            _f("outcome", "办理结果", "choice", choices=OUTCOMES, info="办理结果"),
            _f("reason", "理由", "choice", choices=ALL_REASONS),
        ),
    ),
    make_kind(
        "concern-response",
        "回应关切",
        folder="concern-responses",
        basis="条例 第六条；国办发〔2016〕61号",
        fields=(
            _f("concern_at", "关切发生日期", "date", required=True, info="关切发生日期"),
            _f("responded_at", "回应日期", "date", info="回应日期"),
            _f("concern", "关切事项", "text", info="关切事项"),
            _f("concern_source", "关切来源", "text", info="关切来源"),
            _f("updates", "后续更新", "updates"),
        ),
    ),
    make_kind(
        "press-conference",
        "新闻发布会",
        folder="press-conferences",
        basis="条例 第二十三条",
        fields=(
            _f("held_on", "发布会日期", "date", required=True, info="发布会日期"),
            _f("topic", "发布主题", "text", info="发布主题"),
            _f("speakers", "发布人", "texts", info="发布人"),
            _f("venue", "地点", "text", info="地点"),
            _f("updates", "后续更新", "updates"),
        ),
    ),
    make_kind(
        "cleanup",
        "规范性文件清理结果",
        folder="cleanups",
        fields=(
            _f("cleaned", "清理日期", "date", required=True),
            _f("kept", "继续有效", "refs"),
            _f("amended", "需修改", "refs"),
            _f("repealed", "废止", "refs"),
            _f("expired", "宣布失效", "refs"),
        ),
    ),
    make_kind(
        "page",
        "栏目页",
        folder="pages",
        listed=False,
        optional=("issuer", "published"),
        fields=(
            _f("column", "栏目", "choice", choices=("guide", "system", "other")),
            _f("order", "排序", "int"),
        ),
    ),
)


@dataclass(frozen=True)
class Kinds:
    """The site's table of kinds: the built-in kinds, then the site's categories, in listing order."""

    entries: tuple[Kind, ...] = BUILTIN_KINDS

    @cached_property
    def _by_id(self) -> dict[str, Kind]:
        return {kind.id: kind for kind in self.entries}

    @cached_property
    def _by_folder(self) -> dict[str, str]:
        return {kind.folder: kind.id for kind in self.entries}

    @cached_property
    def _fields(self) -> dict[str, dict[str, FieldSpec]]:
        ids = tuple(kind.id for kind in self.entries)
        common = tuple(replace(s, choices=ids) if s.name == "kind" else s for s in COMMON)
        found = {}
        for kind in self.entries:
            specs = {spec.name: spec for spec in common + kind.fields}
            for name in kind.optional:
                specs[name] = replace(specs[name], required=False)
            found[kind.id] = specs
        return found

    def __iter__(self) -> Iterator[Kind]:
        return iter(self.entries)

    def __contains__(self, kind: object) -> bool:
        return kind in self._by_id

    def get(self, kind: str) -> Kind | None:
        return self._by_id.get(kind)

    def __getitem__(self, kind: str) -> Kind:
        return self._by_id[kind]

    def label(self, kind: str) -> str:
        """The kind's name on the site (类别)."""
        return self._by_id[kind].title

    def folder(self, kind: str) -> str:
        return self._by_id[kind].folder

    def in_folder(self, folder: str) -> str | None:
        """The kind whose files live in content/`folder`/."""
        return self._by_folder.get(folder)

    def listed(self) -> tuple[Kind, ...]:
        """The kinds with a listing under 法定主动公开内容, in the table's order."""
        return tuple(kind for kind in self.entries if kind.listed)

    def fields_for(self, kind: str) -> dict[str, FieldSpec]:
        """The fields an item of `kind` may carry: the common ones, then the kind's own."""
        return self._fields.get(kind, {})

    def references(self, kind: str) -> tuple[FieldSpec, ...]:
        """The kind's fields that name other items (`ref`, `refs`), asked for once per item."""
        return self._references.get(kind, ())

    @cached_property
    def _references(self) -> dict[str, tuple[FieldSpec, ...]]:
        return {k: tuple(s for s in specs.values() if s.type in ("ref", "refs")) for k, specs in self._fields.items()}

    @cached_property
    def field_names(self) -> list[str]:
        """Every field name any kind knows, for did-you-mean."""
        return sorted({name for specs in self._fields.values() for name in specs})


BUILTIN = Kinds()
"""The table of a site without categories."""
