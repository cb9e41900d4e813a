"""How problems are printed: plain lines, GitHub workflow annotations, or JSON."""

from __future__ import annotations

import json

from .model import Problem


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github(problem: Problem, lang: str) -> str:
    """`::error file=…,line=…::` so the problem shows on the changed line of a pull request."""
    level = "warning" if problem.severity == "warning" else "error"
    message = problem.en if lang == "en" else problem.zh
    return (
        f"::{level} file={_escape_property(problem.path)},line={problem.line},"
        f"title={_escape_property(problem.code)}::{_escape_data(f'{problem.code} {message}')}"
    )


def as_json(problems: list[Problem], items: int) -> str:
    errors = [p for p in problems if p.severity == "error"]
    return json.dumps(
        {
            "ok": not errors,
            "items": items,
            "errors": len(errors),
            "warnings": len(problems) - len(errors),
            "problems": [
                {
                    "path": p.path,
                    "line": p.line,
                    "code": p.code,
                    "severity": p.severity,
                    "message": p.zh,
                    "message_en": p.en,
                }
                for p in problems
            ],
        },
        ensure_ascii=False,
        indent=2,
    )
