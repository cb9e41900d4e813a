"""The editors' contract as data: kinds, fields, value types, choices and basis codes.

One table drives the field rules, the typed conversion, `disclose new` and the
editors' documentation, so none of them can drift from the others.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

KIND_FOLDERS = {
    "policies": "policy",
    "interpretations": "interpretation",
    "responses": "response",
    "decisions": "decision",
    "suggestions": "suggestion-reply",
    "consultations": "consultation",
    "pages": "page",
}

KIND_LABELS = {
    "policy": "政策文件",
    "interpretation": "政策解读",
    "response": "依申请公开答复",
    "decision": "会议决定事项",
    "consultation": "公开征求意见",
    "suggestion-reply": "建议提案办理结果",
    "page": "栏目页",
}

KIND_FOLDER = {kind: folder for folder, kind in KIND_FOLDERS.items()}

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


@dataclass(frozen=True)
class FieldSpec:
    """One front-matter field: its value type, whether it is required, its allowed values."""

    name: str
    label: str
    type: str  # text, date, bool, int, texts, refs, review, choice
    required: bool = False
    choices: tuple[str, ...] = ()
    synonyms: Mapping[str, str] = field(default_factory=dict)  # a choice's other name -> its code

    def choice(self, text: str) -> str:
        """The code `text` names: itself, or the code of a synonym (basis 过程性信息 -> process-info)."""
        if text in self.choices or not self.synonyms:
            return text
        return self.synonyms.get(_plain_name(text), text)


def _f(name: str, label: str, type_: str, required: bool = False, choices=(), synonyms=None) -> FieldSpec:
    return FieldSpec(name, label, type_, required, tuple(choices), synonyms or {})


COMMON = (
    _f("kind", "类别", "choice", choices=KIND_LABELS),
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

BY_KIND: dict[str, tuple[FieldSpec, ...]] = {
    "policy": (
        _f("doc_no", "文号", "text", required=True),
        _f("drafter", "起草单位", "text"),
        _f("normative", "行政规范性文件", "bool"),
        _f("regulation", "政府规章", "bool"),
        _f("effective", "施行日期", "date"),
        _f("expires", "有效期至", "date"),
        _f("supersedes", "同时废止", "refs"),
        _f("status", "有效性", "choice", choices=STATUSES),
    ),
    "interpretation": (
        _f("interprets", "所解读文件", "ref", required=True),
        _f("form", "解读形式", "choice", choices=FORMS),
    ),
    "response": (
        _f("request_no", "申请编号", "text", required=True),
        _f("received", "收到申请日期", "date", required=True),
        _f("replied", "答复日期", "date"),
        _f("extended", "延期答复", "bool"),
        _f("paused_days", "不计算在期限内的工作日", "int"),
        _f("applicant_type", "申请人类型", "choice", choices=APPLICANT_TYPES),
        _f("outcome", "办理结果", "choice", choices=OUTCOMES),
        _f("reason", "理由", "choice", choices=ALL_REASONS),
    ),
    "decision": (
        _f("meeting", "会议名称", "text"),
        _f("meeting_date", "会议日期", "date"),
        _f("major", "重大行政决策", "bool"),
    ),
    "consultation": (
        _f("opens", "开始日期", "date"),
        _f("closes", "截止日期", "date"),
        _f("feedback", "意见采纳情况", "ref"),
    ),
    "suggestion-reply": (
        _f("proposal_no", "建议/提案编号", "text"),
        _f("body_type", "类型", "choice", choices=BODY_TYPES),
        _f("handler", "承办单位", "text"),
    ),
    "page": (
        _f("column", "栏目", "choice", choices=("guide", "system", "other")),
        _f("order", "排序", "int"),
    ),
}

REVIEW_KEYS = ("by", "date", "next")

# Fields a page does not require (a page needs only a title).
PAGE_OPTIONAL = {"issuer", "published"}


def fields_for(kind: str) -> dict[str, FieldSpec]:
    """The fields an item of `kind` may carry, with `required` adjusted for pages."""
    specs = {spec.name: spec for spec in COMMON + BY_KIND.get(kind, ())}
    if kind == "page":
        for name in PAGE_OPTIONAL:
            specs[name] = FieldSpec(name, specs[name].label, specs[name].type, False)
    return specs


ALL_FIELD_NAMES = sorted({s.name for s in COMMON} | {s.name for v in BY_KIND.values() for s in v})
