"""The command line: build, check, rules. Exit 0 valid, 1 a content rule broken, 2 usage."""

from __future__ import annotations

import os
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import click

from . import pipeline
from .rules import REGISTRY, all_rules


def build_date(today: str | None) -> date:
    """--today, else SOURCE_DATE_EPOCH (reproducible builds), else the machine's date."""
    if today:
        try:
            return date.fromisoformat(today)
        except ValueError:
            raise click.UsageError(f"--today {today}: 日期格式应为 YYYY-MM-DD") from None
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=UTC).date()
        except (ValueError, OverflowError, OSError):
            raise click.UsageError(f"SOURCE_DATE_EPOCH={epoch} 不是有效的秒数") from None
    return date.today()


def _report(report: pipeline.Report, lang: str) -> None:
    for problem in report.problems:
        click.echo(problem.format(lang))
    errors, warnings = len(report.errors), len(report.problems) - len(report.errors)
    if errors:
        msg = (
            f"{errors} errors, {warnings} warnings; nothing was written"
            if lang == "en"
            else f"发现 {errors} 个错误、{warnings} 个警告；未写出任何文件"
        )
        click.echo(msg, err=True)


site_option = click.option(
    "--site",
    "site",
    type=click.Path(path_type=Path),
    default=".",
    show_default=True,
    help="the folder holding site.yaml",
)
today_option = click.option("--today", help="the date the build treats as today (YYYY-MM-DD)")
lang_option = click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default="zh",
    show_default=True,
    help="language of the messages",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="disclose")
def cli() -> None:
    """disclose: build a government information disclosure (政务公开) site, checking every rule."""


def _run(action, lang: str):
    try:
        return action()
    except pipeline.UsageError as err:
        click.echo(f"disclose: {err}", err=True)
        sys.exit(2)


@cli.command()
@site_option
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="output folder (default: public/ under the site)",
)
@today_option
@lang_option
def build(site: Path, out: Path | None, today: str | None, lang: str) -> None:
    """Check every rule, then write the whole site atomically."""
    day = build_date(today)
    target = out if out is not None else site / "public"
    report = _run(lambda: pipeline.build(site, target, day), lang)
    _report(report, lang)
    if report.errors:
        sys.exit(1)
    pub = report.publication
    assert pub is not None
    stages = " ".join(f"{k} {v:.2f}s" for k, v in report.seconds.items())
    click.echo(
        f"已构建 {len(pub.items)} 项公开信息、{report.pages} 个页面 → {target}（{stages}）",
        err=True,
    )


@cli.command()
@site_option
@today_option
@lang_option
def check(site: Path, today: str | None, lang: str) -> None:
    """Check every rule and write nothing."""
    report = _run(lambda: pipeline.check(site, build_date(today)), lang)
    _report(report, lang)
    if report.errors:
        sys.exit(1)
    count = len(report.catalogue.items) if report.catalogue else 0
    click.echo(f"检查通过：{count} 项信息" if lang == "zh" else f"ok: {count} items", err=True)


@cli.command()
@click.argument("code", required=False)
@lang_option
def rules(code: str | None, lang: str) -> None:
    """List the rules, or explain one (disclose rules D201)."""
    if code is None:
        for rule in all_rules():
            title = rule.title if lang == "en" else rule.title_zh
            mark = " (warning)" if rule.severity == "warning" else ""
            click.echo(f"{rule.code}  {title}{mark}")
        return
    rule = REGISTRY.get(code.upper())
    if rule is None:
        click.echo(f"disclose: 没有规则 {code}；用 disclose rules 列出全部规则", err=True)
        sys.exit(2)
    click.echo(f"{rule.code}  {rule.title_zh} — {rule.title}")
    click.echo(f"依据 / source: {rule.source}")
    if rule.severity == "warning":
        click.echo("级别 / severity: warning (does not fail the build)")
    click.echo("")
    click.echo(rule.explanation)
    click.echo("")
    click.echo("违反此规则的示例 / an example that breaks it:")
    for path, text in rule.example.items():
        click.echo(f"--- {path}")
        shown = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        click.echo(shown.rstrip("\n"))


def main() -> None:
    """Entry point: an unexpected failure is one line, never a traceback, and exit status 3."""
    try:
        cli()
    except Exception as err:  # noqa: BLE001 - the last line of defence for editors
        click.echo(f"disclose: 内部错误 / internal error: {type(err).__name__}: {err}", err=True)
        click.echo("请把这一行报告给网站维护人员 / please report this line", err=True)
        sys.exit(3)


if __name__ == "__main__":  # pragma: no cover
    main()
