"""行政规范性文件 through their life: 登记号, the draft's 征求意见, amendments, 清理结果, expiry.

衢州 第十九条 and 乐清 第二十四条 ask that normative documents be drafted in public (原则上都要公布草案，
向社会征求意见) and cleaned up (适时制定、清理); 忻州 三十二 asks the same of every draft the
departments bring to the city government. 国办发〔2017〕47号 asks that amended, repealed and expired
documents be marked on the original.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..catalogue import Catalogue
from ..lifecycle import EXPIRY_WARNINGS, consultation_required, days_to_expiry, hearing_date
from ..model import Item
from ..visibility import is_public, why_not_public
from .pairing import rejected_finding
from .registry import Finding, rule

HEAD = "---\ntitle: {title}\nissuer: 示例市人民政府\npublished: {published}\ndoc_no: {no}\n"
CLEANUP_LISTS = {"kept": "继续有效", "amended": "需修改", "repealed": "废止", "expired": "宣布失效"}


def _key(item: Item, name: str, index: int) -> str:
    """The line of one list entry when the list is written one entry a line, else the field's."""
    return f"{name}.{index}" if f"{name}.{index}" in item.source.lines else name


@rule(
    "F160",
    "item",
    "登记号 on a document that is not normative",
    "非行政规范性文件填写了登记号",
    "国办发〔2018〕37号 (统一登记、统一编号、统一印发); domain.md §4.2",
    {
        "content/policies/plain.md": HEAD.format(title="某通知", published="2024-03-01", no="示政发〔2024〕40号")
        + "registration_no: SLFS-2024-0001\n---\n正文。\n"
    },
    reads="item",
)
def registration_for_normative(item: Item, site: Catalogue) -> Iterator[Finding]:
    """Only a 行政规范性文件 is registered (统一登记、统一编号): `registration_no` on a policy
    without `normative: true` means either the flag or the number is wrong."""
    if item.kind == "policy" and item.get("registration_no") and not item.get("normative"):
        yield Finding(
            "登记号只用于行政规范性文件：如本文件是规范性文件，请写 normative: true，否则删除 registration_no",
            "registration_no belongs to normative documents: add normative: true or remove it",
            key="registration_no",
        )


@rule(
    "F161",
    "site",
    "Two documents share a 登记号",
    "登记号重复",
    "国办发〔2018〕37号 (统一编号)",
    {
        "content/policies/a.md": HEAD.format(title="甲办法", published="2024-03-01", no="示政规〔2024〕1号")
        + "normative: true\nregistration_no: SLFS-2024-0001\nno_consultation_reason: 依据上位法制定\n---\n正文。\n",
        "content/policies/b.md": HEAD.format(title="乙办法", published="2024-03-01", no="示政规〔2024〕2号")
        + "normative: true\nregistration_no: SLFS-2024-0001\nno_consultation_reason: 依据上位法制定\n---\n正文。\n",
    },
)
def registration_unique(site: Catalogue) -> Iterator[Finding]:
    """Each normative document has its own 登记号; the second one to use a number is reported,
    naming the first."""
    seen: dict[str, Item] = {}
    for item in site.of_kind("policy"):
        number = item.get("registration_no")
        if not number:
            continue
        key = "".join(str(number).split())
        if key in seen:
            first = seen[key]
            yield Finding(
                f"登记号 {number} 已由 {first.path} 使用；每件规范性文件的登记号应唯一",
                f"registration_no {number} is already used by {first.path}",
                key="registration_no",
                at=item,
            )
        else:
            seen[key] = item


@rule(
    "F162",
    "item",
    "Both a consultation and a reason for none",
    "同时写了征求意见和未征求意见原因",
    "衢州 第十九条; 乐清 第二十四条",
    {
        "content/policies/both.md": HEAD.format(title="某办法", published="2024-03-01", no="示政规〔2024〕3号")
        + "normative: true\nconsultation: consultations/draft\nno_consultation_reason: 紧急情况\n---\n正文。\n",
        "content/consultations/draft.md": "---\ntitle: 征求意见\nissuer: 示例市人民政府\npublished: 2024-01-02\n"
        "opens: 2024-01-02\ncloses: 2024-02-01\n---\n正文。\n",
    },
    reads="item",
)
def consultation_or_reason(item: Item, site: Catalogue) -> Iterator[Finding]:
    """A draft was put out for comment (`consultation`) or it was not (`no_consultation_reason`):
    one of the two, not both."""
    if item.get("consultation") and item.get("no_consultation_reason"):
        yield Finding(
            "consultation（征求意见）与 no_consultation_reason（未征求意见原因）只能写一个",
            "give consultation or no_consultation_reason, not both",
            key="no_consultation_reason",
        )


@rule(
    "P430",
    "item",
    "Normative document without its draft's consultation",
    "规范性文件未关联征求意见",
    "衢州 第十九条 (原则上都要向社会公开征求意见); 乐清 第二十四条 (公布草案，向社会征求意见); 忻州 三十二",
    {
        "site.yaml": "title: 示例\nbase_url: https://example.gov.cn/\nlanguage: zh-CN\n"
        "paired_release_since: 2030-01-01\nnormative_consultation_since: 2024-01-01\n",
        "content/policies/norm.md": HEAD.format(title="某管理办法", published="2024-03-01", no="示政规〔2024〕4号")
        + "normative: true\n---\n正文。\n",
    },
    reads="item",
)
def normative_has_consultation(item: Item, site: Catalogue) -> Iterator[Finding]:
    """A 行政规范性文件 published on or after site.yaml `normative_consultation_since` names the
    征求意见 of its draft (`consultation: consultations/…`) or says why there was none
    (`no_consultation_reason`, e.g. 依法需要保密). Without that setting nothing is required, so a
    site's older documents stay valid."""
    if not consultation_required(item, site.config) or item.draft:
        return
    if item.get("consultation") or item.get("no_consultation_reason"):
        return
    yield Finding(
        f"行政规范性文件应关联草案的征求意见（consultation: consultations/…），或用 no_consultation_reason "
        f"写明未公开征求意见的原因（{site.config.normative_consultation_since} 起发布的规范性文件适用）",
        "a normative document names its draft's consultation (consultation: consultations/…) or gives "
        "no_consultation_reason",
        key="normative",
    )


@rule(
    "R720",
    "item",
    "consultation names no consultation",
    "所关联的征求意见不存在",
    "衢州 第十九条; 绍兴 第二十四条",
    {
        "content/policies/norm.md": HEAD.format(title="某办法", published="2024-03-01", no="示政规〔2024〕5号")
        + "normative: true\nconsultation: consultations/no-such-draft\n---\n正文。\n"
    },
    fields=("consultation",),
)
def consultation_exists(item: Item, site: Catalogue) -> Iterator[Finding]:
    """`consultation` names a 征求意见 item of this site (its id, e.g. consultations/2026-draft)."""
    ref = item.get("consultation")
    if not ref:
        return
    target = site.resolve(ref)
    if target is None:
        if found := rejected_finding(ref, site, "consultation", "所关联的征求意见", "consultation"):
            yield found
            return
        yield Finding(
            f"所关联的征求意见“{ref}”不存在；请写 consultations/ 下该文件的 id",
            f"consultation '{ref}' does not exist; give the id of a file under consultations/",
            key="consultation",
        )
    elif target.kind != "consultation":
        yield Finding(
            f"“{ref}”不是征求意见（而是 {target.path}）；consultation 应指向 consultations/ 下的文件",
            f"'{ref}' is not a consultation ({target.path})",
            key="consultation",
        )


@rule(
    "R721",
    "item",
    "amends names no document",
    "所修改的文件不存在",
    "国办发〔2017〕47号 (修改、废止、失效…在原文件上作出明确标注)",
    {
        "content/policies/amend.md": HEAD.format(
            title="关于修改某办法的决定", published="2024-03-01", no="示政规〔2024〕6号"
        )
        + "amends: [示政规〔1999〕1号]\n---\n正文。\n"
    },
    fields=("amends",),
)
def amends_exists(item: Item, site: Catalogue) -> Iterator[Finding]:
    """Each entry of `amends` names another policy of this site, which then shows 已修改 and a
    link to this document."""
    for index, ref in enumerate(item.get("amends") or ()):
        key = _key(item, "amends", index)
        target = site.resolve(ref)
        if target is None:
            yield rejected_finding(ref, site, key, "所修改的", "amends") or Finding(
                f"所修改的文件“{ref}”不存在；请写该文件的 id 或文号，或先录入原文件",
                f"amends '{ref}', which does not exist in this site",
                key=key,
            )
        elif target.kind != "policy" or target.id == item.id:
            yield Finding(
                f"“{ref}”不能作为所修改的文件：应为本站另一件政策文件",
                f"'{ref}' cannot be amended by this document: name another policy",
                key=key,
            )


@rule(
    "R722",
    "item",
    "清理结果 lists an unknown document",
    "清理结果所列文件不存在",
    "民政部规范性文件制定与审查办法 第二十一条 (清理后继续有效、废止和失效的目录应当向社会公布)",
    {
        "content/cleanups/2024.md": "---\ntitle: 关于公布规范性文件清理结果的通知\nissuer: 示例市人民政府\n"
        "published: 2024-03-01\ncleaned: 2024-02-20\nrepealed: [示政规〔1999〕9号]\n---\n正文。\n"
    },
    kinds=("cleanup",),
)
def cleanup_entries_exist(item: Item, site: Catalogue) -> Iterator[Finding]:
    """Every document a 清理结果 lists (kept, amended, repealed, expired) is a policy of this site,
    named once: a repealed one then shows 废止, an expired one 失效, with a link to the result."""
    if item.kind != "cleanup":
        return
    seen: dict[str, str] = {}
    for name, label in CLEANUP_LISTS.items():
        for index, ref in enumerate(item.get(name) or ()):
            key = _key(item, name, index)
            target = site.resolve(ref)
            if target is None:
                yield rejected_finding(ref, site, key, f"清理结果（{label}）所列的", name) or Finding(
                    f"清理结果（{label}）所列的“{ref}”不存在；请写该文件的 id 或文号，或先录入原文件",
                    f"{name} lists '{ref}', which does not exist in this site",
                    key=key,
                )
            elif target.kind != "policy":
                yield Finding(
                    f"清理结果（{label}）所列的“{ref}”不是政策文件（{target.path}）",
                    f"{name} lists '{ref}', which is not a policy ({target.path})",
                    key=key,
                )
            elif target.id in seen:
                yield Finding(
                    f"“{ref}”在清理结果中出现两次（{seen[target.id]}、{label}）；每件文件只有一个清理结论",
                    f"'{ref}' is listed twice in the clean-up result",
                    key=key,
                )
            else:
                seen[target.id] = label


def _lifecycle_references(item: Item, site: Catalogue) -> Iterator[tuple[Item | None, str, str]]:
    """(target, how it was named, field key) for each reference this module's fields make."""
    for name in ("consultation", "final_decision"):
        if item.get(name):
            yield site.resolve(item.get(name)), item.get(name), name
    if item.get("hearing") and hearing_date(item) is None:
        yield site.resolve(item.get("hearing")), item.get("hearing"), "hearing"
    for name in ("amends", *CLEANUP_LISTS):
        for index, ref in enumerate(item.get(name) or ()):
            yield site.resolve(ref), ref, _key(item, name, index)


@rule(
    "R725",
    "item",
    "Public item names a non-public item in a lifecycle field",
    "公开信息关联了未公开的信息",
    "content-model.md (What not public means); 条例 第十四至十六条",
    {
        "content/consultations/draft.md": "---\ntitle: 征求意见\nissuer: 示例市人民政府\npublished: 2024-01-02\n"
        "opens: 2024-01-02\ncloses: 2024-02-01\ndraft: true\n---\n正文。\n",
        "content/decisions/plan.md": "---\ntitle: 某决策\nissuer: 示例市人民政府\npublished: 2024-03-01\n"
        "hearing: consultations/draft\n---\n正文。\n",
    },
    fields=("consultation", "final_decision", "hearing", "amends", *CLEANUP_LISTS),
)
def no_lifecycle_reference_to_hidden(item: Item, site: Catalogue) -> Iterator[Finding]:
    """`hearing` (a date, or an item named as text) prints the other item's title and link: a public
    item may name only public items there. Both files are named. The reference fields of the table
    of kinds (`consultation`, `amends`, `final_decision`, a 清理结果's lists) are R704's."""
    if not is_public(item, site.today):
        return
    covered = {spec.name for spec in site.config.kinds.references(item.kind)}  # R704 checks those
    for target, named, key in _lifecycle_references(item, site):
        if key.split(".")[0] in covered:
            continue
        if target is None and key == "hearing":  # free text: it may still spell out a hidden title
            target = _hidden_title_in(str(named), site)
        if target is not None and not is_public(target, site.today):
            yield Finding(
                f"关联了未公开的 {target.path}（{why_not_public(target, site.today)}）：“{named}”；请删除该关联，"
                f"或待其公开后再关联",
                f"names {target.path}, which is not public: '{named}'; remove the reference",
                key=key,
            )


def _hidden_title_in(text: str, site: Catalogue) -> Item | None:
    """A non-public item whose title (of five characters or more, long enough to be its own)
    the text contains: a hearing written as words names that item as surely as its id would."""
    return next(
        (
            other
            for other in site.items
            if len(other.title) >= 5 and other.title in text and not is_public(other, site.today)
        ),
        None,
    )


EXPIRING = HEAD.format(title="某管理办法", published="2024-01-02", no="示政规〔2024〕8号")


def _expiry_finding(item: Item, days: int) -> Finding:
    expires = item.get("expires")
    return Finding(
        f"本文件有效期至 {expires}，还有 {days} 天到期：请评估是否继续施行；继续施行的请按程序重新公布"
        f"（重新登记、重新计算有效期），不再施行的到期自动失效",
        f"this document expires on {expires}, in {days} days: decide whether it continues (republish it "
        f"with a new period) or lapses",
        key="expires",
    )


@rule(
    "T640",
    "item",
    "Document expires within 90 days",
    "文件将在90天内到期",
    "民政部规范性文件制定与审查办法 第二十三条; domain.md §4.3 (到期前评估)",
    {
        "content/policies/soon.md": EXPIRING
        + "normative: true\neffective: 2024-01-02\nexpires: 2024-08-15\n---\n正文。\n"
    },
    severity="warning",
    reads="today",
)
def expires_in_90_days(item: Item, site: Catalogue) -> Iterator[Finding]:
    """A policy in force whose `expires` is 31 to 90 days after the build date: the office decides in
    time whether it continues (then it is republished with a new period) or lapses."""
    days = _expiring(item, site)
    if days is not None and EXPIRY_WARNINGS[1] < days <= EXPIRY_WARNINGS[0]:
        yield _expiry_finding(item, days)


@rule(
    "T641",
    "item",
    "Document expires within 30 days",
    "文件将在30天内到期",
    "民政部规范性文件制定与审查办法 第二十三条; domain.md §4.3 (到期前评估)",
    {
        "content/policies/soon.md": EXPIRING
        + "normative: true\neffective: 2024-01-02\nexpires: 2024-06-20\n---\n正文。\n"
    },
    severity="warning",
    reads="today",
)
def expires_in_30_days(item: Item, site: Catalogue) -> Iterator[Finding]:
    """A policy in force whose `expires` is 0 to 30 days after the build date: the last warning."""
    days = _expiring(item, site)
    if days is not None and days <= EXPIRY_WARNINGS[1]:
        yield _expiry_finding(item, days)


def _expiring(item: Item, site: Catalogue) -> int | None:
    """Days to expiry of a public document still in force (not repealed, not marked 失效/废止)."""
    if item.get("status") in ("废止", "失效") or not is_public(item, site.today):
        return None
    return days_to_expiry(item, site.today)


@rule(
    "T642",
    "item",
    "清理结果 published before the clean-up",
    "清理结果发布日期早于清理日期",
    "民政部规范性文件制定与审查办法 第二十一条",
    {
        "content/cleanups/2024.md": "---\ntitle: 关于公布规范性文件清理结果的通知\nissuer: 示例市人民政府\n"
        "published: 2024-03-01\ncleaned: 2024-03-20\n---\n正文。\n"
    },
    reads="item",
)
def cleanup_dated(item: Item, site: Catalogue) -> Iterator[Finding]:
    """A 清理结果 is published after the clean-up it reports (`cleaned` ≤ `published`)."""
    cleaned = item.get("cleaned")
    if item.kind == "cleanup" and cleaned and item.published and cleaned > item.published:
        yield Finding(
            f"清理日期 {cleaned} 晚于发布日期 {item.published}",
            f"cleaned {cleaned} is after published {item.published}",
            key="cleaned",
        )
