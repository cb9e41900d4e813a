"""State secrets never reach a public build machine (涉密信息不上网)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..model import Source
from ..schema import SECRET_CLASSES
from .registry import Finding, rule

# 密级★保密期限, e.g. 机密★1年, 秘密★5年, 绝密★长期 (GB/T 9704-2012 7.2.2; GB/T 7156)
SECRET_MARK = re.compile(r"(绝密|机密|秘密)\s*[★☆]")


@rule(
    "S301",
    "source",
    "Classified item (密级) in the repository",
    "含密级标注的信息",
    "保守国家秘密法 第三十一条、第三十五条; 涉密信息不上网",
    {
        "content/policies/secret.md": "---\ntitle: 某方案\nissuer: 示例市人民政府\n"
        "published: 2024-03-01\ndoc_no: 示政发〔2024〕7号\nclassification: 机密\n---\n正文。\n"
    },
)
def classified(source: Source, ctx) -> Iterator[Finding]:
    """An item marked 绝密, 机密 or 秘密 is a state secret: the build refuses the whole site.

    A public build machine is a 非涉密 system; 保密法 第三十一条 forbids storing or
    processing state secrets on it. Remove the file from the repository (and its
    history) and report it to the 保密 office; do not merely mark it withheld.
    """
    value = source.meta.get("classification")
    if isinstance(value, str) and any(c in value for c in SECRET_CLASSES):
        yield Finding(
            f"标注密级“{value}”：涉密信息不得进入本仓库，整站拒绝构建；请从仓库（含历史）删除该文件并报告保密部门",
            f"marked as state secret ({value}): the whole build is refused; remove the "
            "file from the repository and its history and report it",
            key="classification",
        )


@rule(
    "S302",
    "source",
    "Secrecy mark (密级★期限) in the text",
    "正文含密级标志",
    "GB/T 9704-2012 7.2.2; 保守国家秘密法 第二十二条",
    {
        "content/policies/marked.md": "---\ntitle: 某通知\nissuer: 示例市人民政府\n"
        "published: 2024-03-01\ndoc_no: 示政发〔2024〕8号\n---\n机密★1年\n\n正文。\n"
    },
)
def secrecy_mark(source: Source, ctx) -> Iterator[Finding]:
    """A `机密★1年`-style mark in the title or text means the document was classified.

    Whatever its front matter says, the build refuses the site until the file is
    removed or the document is formally declassified and the mark taken out.
    """
    title = source.meta.get("title")
    if isinstance(title, str) and SECRET_MARK.search(title):
        yield Finding("标题含密级标志，整站拒绝构建", "secrecy mark in the title: build refused", key="title")
    for match in SECRET_MARK.finditer(source.body):
        offset = source.body.count("\n", 0, match.start())
        yield Finding(
            f"正文含密级标志“{match.group(0)}”：涉密信息不得进入本仓库，整站拒绝构建",
            f"secrecy mark '{match.group(0)}' in the text: state secrets must not be in this repository; build refused",
            line=source.body_line + offset,
        )
