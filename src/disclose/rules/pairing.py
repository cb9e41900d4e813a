"""同步发布: every public policy is released with its interpretation, cross-linked."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from ..catalogue import Catalogue
from ..model import Item
from ..visibility import hidden_reason, is_public, why_not_public
from .registry import Finding, rule

LONE_POLICY = {
    "content/policies/lone.md": "---\ntitle: 关于某事项的通知\nissuer: 示例市人民政府\n"
    "published: 2024-05-01\ndoc_no: 示政发〔2024〕11号\n---\n正文。\n"
}


def _interpretations(policy: Item, site: Catalogue) -> tuple[Item, ...]:
    return site.interpretations.get(policy.id, ())


def rejected_finding(ref: str, site: Catalogue, key: str, what_zh: str, what_en: str) -> Finding | None:
    """When `ref` names a file that failed the schema or could not be read: point at that file's own
    errors instead of calling it missing."""
    path = site.failed_file(ref)
    if path is None:
        return None
    return Finding(
        f"{what_zh} {path} 本身有错误（见该文件的报告），改正后即可关联",
        f"{what_en} {path}, which has errors of its own (see that file's lines); fix them first",
        key=key,
    )


def _in_time(interp: Item, policy: Item, site: Catalogue) -> bool:
    grace = timedelta(days=site.config.paired_release_grace_days)
    if interp.get("late_reason"):
        return True
    return (
        interp.published is not None
        and policy.published is not None
        and policy.published <= interp.published <= policy.published + grace
    )


@rule(
    "P401",
    "item",
    "Public policy without a same-day interpretation",
    "政策文件缺少同步解读",
    "乐清 第三十一条 (同步组织、同步审签、同步发布); 国办发〔2016〕80号; domain.md §3.2",
    LONE_POLICY,
    kinds=("policy",),
)
def policy_has_interpretation(item: Item, site: Catalogue) -> Iterator[Finding]:
    """A public policy needs a public interpretation published the same day (谁起草谁解读).

    An interpretation that is withheld, on request, a draft or embargoed does not count: the
    public would get the policy without it.

    The grace in days is `paired_release_grace_days` in site.yaml (default 0);
    an interpretation that comes later says why in `late_reason`, which the site
    shows. Policies published before `paired_release_since` predate the rule.
    """
    if item.kind != "policy" or not is_public(item, site.today):
        return
    since = site.config.paired_release_since
    if since and item.published and item.published < since:
        return
    found = _interpretations(item, site)
    if not found:
        yield Finding(
            f"政策文件没有政策解读：请新建解读（disclose new interpretation --for "
            f"{item.get('doc_no')}），与文件同日发布",
            f"policy has no interpretation: add one (disclose new interpretation "
            f"--for {item.get('doc_no')}) published the same day",
            key="doc_no",
        )
    elif not any(is_public(i, site.today) for i in found):
        hidden = found[0]
        yield Finding(
            f"政策文件的解读 {hidden.path} 未公开（{why_not_public(hidden, site.today)}）：公开的政策文件须与"
            f"公开的解读同步发布；请公开该解读，或暂不公开本文件",
            f"its interpretation {hidden.path} is not public ({hidden_reason(hidden, site.today)}): a public "
            f"policy needs a public interpretation released with it; publish the interpretation or hold the policy",
            key="doc_no",
        )


@rule(
    "P402",
    "item",
    "Interpretation of an unknown document",
    "所解读文件不存在",
    "content-model.md (interprets); 云南 检查: 解读与文件相关联",
    {
        "content/interpretations/orphan.md": "---\ntitle: 解读\nissuer: 示例市人民政府\n"
        "published: 2024-05-01\ninterprets: 示政发〔2099〕1号\n---\n正文。\n"
    },
    kinds=("interpretation",),
)
def interprets_exists(item: Item, site: Catalogue) -> Iterator[Finding]:
    """`interprets` names a policy of this site by id (policies/…) or by 文号."""
    if item.kind != "interpretation":
        return
    target = site.resolve(item.get("interprets", ""))
    if target is None and (
        found := rejected_finding(item.get("interprets", ""), site, "interprets", "所解读文件", "interprets")
    ):
        yield found
    elif target is None:
        yield Finding(
            f"所解读文件“{item.get('interprets')}”不存在；请写政策文件的 id 或文号",
            f"interprets '{item.get('interprets')}', which does not exist; give a policy's id or 文号",
            key="interprets",
        )
    elif target.kind != "policy":
        yield Finding(
            f"所解读的 {target.path} 不是政策文件",
            f"{target.path} is not a policy",
            key="interprets",
        )


@rule(
    "P403",
    "item",
    "Public interpretation of a non-public policy",
    "公开的解读指向未公开的文件",
    "content-model.md (What not public means); 条例 第十四至十六条",
    {
        "content/policies/hidden.md": "---\ntitle: 某方案\nissuer: 示例市人民政府\npublished: 2024-05-01\n"
        "doc_no: 示政发〔2024〕12号\ndisclosure: withheld\nbasis: process-info\n"
        "review: {by: 市政府办公室, date: 2024-04-30}\n---\n正文。\n",
        "content/interpretations/hidden-jd.md": "---\ntitle: 解读\nissuer: 示例市人民政府\n"
        "published: 2024-05-01\ninterprets: 示政发〔2024〕12号\n---\n正文。\n",
    },
    kinds=("interpretation",),
)
def interprets_public(item: Item, site: Catalogue) -> Iterator[Finding]:
    """A public interpretation would show the title and link of a policy that is not public."""
    if item.kind != "interpretation" or not is_public(item, site.today):
        return
    target = site.resolve(item.get("interprets", ""))
    if target is not None and target.kind == "policy" and not is_public(target, site.today):
        yield Finding(
            f"所解读文件 {target.path} 未公开（{why_not_public(target, site.today)}），解读不能先于文件公开",
            f"interprets {target.path}, which is not public; the interpretation cannot be public before the policy",
            key="interprets",
        )


@rule(
    "P404",
    "item",
    "Interpretation on another day without late_reason",
    "解读未同步且未说明原因",
    "乐清 第三十一条; domain.md §3.2 (同步发布)",
    {
        "content/policies/p.md": "---\ntitle: 关于某事项的通知\nissuer: 示例市人民政府\n"
        "published: 2024-05-01\ndoc_no: 示政发〔2024〕13号\n---\n正文。\n",
        "content/interpretations/late.md": "---\ntitle: 解读\nissuer: 示例市人民政府\n"
        "published: 2024-05-09\ninterprets: 示政发〔2024〕13号\n---\n正文。\n",
    },
    kinds=("interpretation",),
)
def interpretation_in_time(item: Item, site: Catalogue) -> Iterator[Finding]:
    """An interpretation published on another day than its policy must say why (`late_reason`).

    The site shows the reason next to the interpretation and the compliance
    figures count it as not simultaneous.
    """
    if item.kind != "interpretation":
        return
    target = site.resolve(item.get("interprets", ""))
    if target is None or target.kind != "policy" or _in_time(item, target, site):
        return
    yield Finding(
        f"解读发布日期 {item.published} 与文件（{target.published}）不同日，请同日发布或写明 late_reason（未同步原因）",
        f"published {item.published}, the policy on {target.published}: publish the same day or give late_reason",
        key="published",
    )


@rule(
    "P405",
    "item",
    "Interpretation not issued by the drafter",
    "解读机构不是起草单位",
    "国办发〔2016〕80号 (谁起草、谁解读)",
    {
        "content/policies/d.md": "---\ntitle: 关于某事项的通知\nissuer: 示例市人民政府\n"
        "published: 2024-05-01\ndoc_no: 示政发〔2024〕14号\ndrafter: 示例市司法局\n---\n正文。\n",
        "content/interpretations/d-jd.md": "---\ntitle: 解读\nissuer: 示例市财政局\n"
        "published: 2024-05-01\ninterprets: 示政发〔2024〕14号\n---\n正文。\n",
    },
    severity="warning",
    kinds=("interpretation",),
)
def drafter_interprets(item: Item, site: Catalogue) -> Iterator[Finding]:
    """谁起草谁解读: when the policy names its drafter, the interpretation should come from it.

    A warning, not an error: a lead department may interpret a jointly drafted file.
    """
    if item.kind != "interpretation":
        return
    target = site.resolve(item.get("interprets", ""))
    if target is None:
        return
    drafter = target.get("drafter")
    if drafter and item.get("issuer") not in (drafter, target.get("issuer")):
        yield Finding(
            f"解读发布机构“{item.get('issuer')}”不是起草单位“{drafter}”（谁起草谁解读）",
            f"issued by {item.get('issuer')}, but the drafter is {drafter}",
            key="issuer",
        )
