"""Problems with where things land in the output (U), found when the output paths are listed
(`pipeline.output_clashes`, `urls.clashes`), catalogued beside the rules."""

from __future__ import annotations

from .registry import format_code

format_code(
    "U001",
    "Two things at one output path",
    "两项内容的输出路径相同",
    "content-model.md (identity: an item's id is its path under content/)",
    "Every item is published at the URL of its file name, and the site has its own pages (listings\n"
    "with /page/N/, search/, reports/, feeds) and folders (assets/, attachments/, pagefind/). Two\n"
    "files whose names differ only in letter case or Unicode form are one URL on most servers and\n"
    "case-insensitive disks, so one page would silently overwrite the other; an item at a URL the\n"
    "site uses would replace a listing. Both are named: rename one of them.",
    {
        "content/decisions/Meeting-1.md": "---\ntitle: 第1次常务会议决定\nissuer: 示例市人民政府\npublished: 2024-03-01\n---\n",
        "content/decisions/meeting-1.md": "---\ntitle: 第1次常务会议纪要\nissuer: 示例市人民政府\npublished: 2024-03-02\n---\n",
        "content/search.md": "---\nkind: page\ntitle: 站内搜索说明\n---\n",
    },
)
