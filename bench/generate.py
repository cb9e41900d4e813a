"""A deterministic generator of realistic disclosure sites in the editors' contract format.

Usage: python bench/generate.py N OUT_DIR [--seed 1]
Writes site.yaml and content/ for N items: policies each paired with a same-day interpretation,
decisions, response records across every outcome, consultations, suggestion replies, a few
withheld, on-request and draft items, attachments, and repeal chains. The text is made of the
sample site's own sentences (the five seed work rules), so segmentation and search see real Chinese.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AGENCIES = [
    ("示政发", "示例市人民政府"),
    ("示政办发", "示例市人民政府办公室"),
    ("示发改", "示例市发展和改革委员会"),
    ("示教", "示例市教育局"),
    ("示财", "示例市财政局"),
    ("示住建", "示例市住房和城乡建设局"),
    ("示交", "示例市交通运输局"),
    ("示卫健", "示例市卫生健康委员会"),
    ("示环", "示例市生态环境局"),
    ("示人社", "示例市人力资源和社会保障局"),
]
TOPICS = ["综合政务", "政务公开", "城乡建设", "教育", "交通", "卫生健康", "生态环境", "财政", "社会保障", "营商环境"]
OUTCOMES = [
    ("disclosed", None, None),
    ("partly-disclosed", "personal-privacy", None),
    ("withheld", "process-info", None),
    ("withheld", "internal-affairs", None),
    ("withheld", "commercial-secret", None),
    ("cannot-provide", None, "not-held"),
    ("cannot-provide", None, "needs-creation"),
    ("not-processed", None, "petition"),
    ("not-processed", None, "repeated"),
    ("other-handling", None, "no-correction"),
]
APPLICANTS = [
    "natural-person",
    "natural-person",
    "natural-person",
    "business",
    "research",
    "nonprofit",
    "legal-service",
    "other",
]


def svg(text: str) -> str:
    """A small SVG image with its words as text (read by the scan like any text attachment)."""
    return f'<svg xmlns="http://www.w3.org/2000/svg" width="320" height="80"><text x="10" y="40">{text}</text></svg>\n'


def pdf(text: str) -> bytes:
    """A minimal real PDF (one page, Helvetica) whose text a reader extracts: attachments are read
    and scanned by the build, so a fake one would be reported as unreadable (A803)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def sentences() -> list[str]:
    """Sentences of the sample site's work rules, without anything that looks like a rule mark."""
    found = []
    for path in sorted((ROOT / "content/policies").glob("*-work-rules.md")):
        body = path.read_text(encoding="utf-8").split("\n---\n", 1)[1]
        for part in re.split(r"(?<=[。；])", body):
            part = part.strip().lstrip("#- ").strip()
            if 12 <= len(part) <= 160 and not any(mark in part for mark in ("此件", "★", "[", "]")):
                found.append(part)
    return found


class Generator:
    def __init__(self, n: int, seed: int):
        self.n = n
        self.rng = random.Random(seed)
        self.text = sentences()
        self.counters: dict[tuple[str, int], int] = {}

    def body(self, paragraphs: int) -> str:
        chunks = []
        for index in range(paragraphs):
            if index and index % 4 == 0:
                chunks.append(f"## 第{'一二三四五六七八九十'[index // 4 % 10]}部分")
            chunks.append("".join(self.rng.choice(self.text) for _ in range(self.rng.randint(2, 4))))
        return "\n\n".join(chunks) + "\n"

    def day(self) -> date:
        return date(2016, 1, 1) + timedelta(days=self.rng.randrange(0, 3950))

    def doc_no(self, prefix: str, year: int) -> str:
        key = (prefix, year)
        self.counters[key] = self.counters.get(key, 0) + 1
        return f"{prefix}〔{year}〕{self.counters[key]}号"

    def write(self, out: Path) -> None:
        content = out / "content"
        (out / "site.yaml").parent.mkdir(parents=True, exist_ok=True)
        (out / "site.yaml").write_text(
            "title: 示例市人民政府信息公开\nbase_url: https://www.example.gov.cn/\nlanguage: zh-CN\n", encoding="utf-8"
        )
        # the annual report the site owes for last year (Y703), with the sample's figures
        (out / "reports").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / "reports/2025.yaml", out / "reports/2025.yaml")
        counts = {
            "policy": int(self.n * 0.3),
            "decision": int(self.n * 0.15),
            "response": int(self.n * 0.15),
            "consultation": int(self.n * 0.05),
            "suggestion": int(self.n * 0.05),
        }
        counts["policy"] += (self.n - sum(counts.values()) - counts["policy"]) // 2  # interpretations pair up
        policies: list[tuple[str, str, date]] = []
        for i in range(counts["policy"]):
            prefix, issuer = self.rng.choice(AGENCIES)
            day = self.day()
            no = self.doc_no(prefix, day.year)
            pid = f"p{i:06d}"
            fields = [
                f"title: {issuer}关于{self.rng.choice(TOPICS)}工作的通知（{i}）",
                f"issuer: {issuer}",
                f"doc_no: {no}",
                f"published: {day}",
                f"topics: [{self.rng.choice(TOPICS)}]",
            ]
            if self.rng.random() < 0.3:
                fields += ["normative: true", f"expires: {day + timedelta(days=4 * 365)}"]
            older = [p for p in policies[-50:] if p[2] < day and p[1].startswith(prefix)]
            if older and self.rng.random() < 0.1:
                fields.append(f"supersedes: [{older[-1][1]}]")
            if self.rng.random() < 0.05:
                (content / "policies/files").mkdir(parents=True, exist_ok=True)
                (content / f"policies/files/{pid}.pdf").write_bytes(pdf(f"sample attachment {pid}"))
                fields.append(f"attachments: [files/{pid}.pdf]")
            self._file(content / f"policies/{pid}.md", fields, self.body(self.rng.randint(4, 12)))
            form = self.rng.choice(["text", "qa", "graphic"])
            reading = [
                f"title: 《{issuer}关于{i}号文件》政策解读",
                f"issuer: {issuer}",
                f"published: {day}",
                f"interprets: {no}",
                f"form: {form}",
            ]
            if form == "graphic":  # a 图解 needs its image (P420)
                (content / "interpretations/files").mkdir(parents=True, exist_ok=True)
                (content / f"interpretations/files/{pid}.svg").write_text(svg(f"{issuer} {i}号文件 图解"), "utf-8")
                reading.append(f"attachments: [files/{pid}.svg]")
            self._file(content / f"interpretations/{pid}-jd.md", reading, self.body(self.rng.randint(3, 6)))
            policies.append((pid, no, day))
        for i in range(counts["decision"]):
            day, fields = self.day(), []
            if self.rng.random() < 0.04:
                fields = ["disclosure: withheld", "basis: process-info", f"review: {{by: 市政府办公室, date: {day}}}"]
            elif self.rng.random() < 0.03:
                fields = [
                    "disclosure: on-request",
                    "basis: on-request-only",
                    f"review: {{by: 市政府办公室, date: {day}}}",
                ]
            elif self.rng.random() < 0.02:
                fields = ["draft: true"]
            self._file(
                content / f"decisions/d{i:06d}.md",
                [
                    f"title: 市政府第{i}次常务会议决定事项",
                    "issuer: 示例市人民政府",
                    f"published: {day}",
                    f"meeting: 市政府第{i}次常务会议",
                    f"meeting_date: {day}",
                    f"major: {str(i % 9 == 0).lower()}",
                    f"topics: [{self.rng.choice(TOPICS)}]",
                    *fields,
                ],
                self.body(self.rng.randint(2, 5)),
            )
        for i in range(counts["response"]):
            received = self.day()
            replied = received + timedelta(days=self.rng.randint(3, 35))
            outcome, basis, reason = self.rng.choice(OUTCOMES)
            fields = [
                f"title: 关于申请公开{self.rng.choice(TOPICS)}信息的答复（{i}）",
                "issuer: 示例市人民政府办公室",
                f"published: {replied}",
                f"request_no: YSQ-{i:06d}",
                f"received: {received}",
                f"replied: {replied}",
                f"applicant_type: {self.rng.choice(APPLICANTS)}",
                f"outcome: {outcome}",
            ]
            fields += [f"basis: {basis}"] if basis else []
            fields += [f"reason: {reason}"] if reason else []
            self._file(content / f"responses/r{i:06d}.md", fields, "## 申请内容\n\n" + self.body(2))
        for i in range(counts["consultation"]):
            day = self.day()
            self._file(
                content / f"consultations/c{i:06d}.md",
                [
                    f"title: 关于第{i}号征求意见稿公开征求意见的公告",
                    "issuer: 示例市人民政府",
                    f"published: {day}",
                    f"opens: {day}",
                    f"closes: {day + timedelta(days=30)}",
                ],
                self.body(2),
            )
        for i in range(counts["suggestion"]):
            day = self.day()
            self._file(
                content / f"suggestions/s{i:06d}.md",
                [
                    f"title: 对第{i}号建议的答复",
                    f"issuer: {self.rng.choice(AGENCIES)[1]}",
                    f"published: {day}",
                    f"proposal_no: 第{i}号",
                    f"body_type: {self.rng.choice(['npc', 'cppcc'])}",
                    f"handler: {self.rng.choice(AGENCIES)[1]}",
                ],
                self.body(3),
            )

    @staticmethod
    def _file(path: Path, fields: list[str], body: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("---\n" + "\n".join(fields) + "\n---\n" + body, encoding="utf-8")


def generate(n: int, out: Path, seed: int = 1) -> None:
    Generator(n, seed).write(out)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(args.n, args.out, args.seed)
