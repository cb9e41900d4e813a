"""The command line: build, check, rules. Exit 0 valid, 1 a content rule broken, 2 usage."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TypeVar

import click

from . import pipeline, report_format
from .config import SiteConfig
from .dates import FIRST_YEAR, LAST_YEAR
from .identifiers import normalize_doc_no
from .progress import Progress
from .rules import REGISTRY, all_rules


def build_date(today: str | None) -> date:
    """--today, else SOURCE_DATE_EPOCH (reproducible builds), else the machine's date."""
    if today:
        try:
            day = date.fromisoformat(today)
        except ValueError:
            raise click.UsageError(f"--today {today}: 日期格式应为 YYYY-MM-DD") from None
    elif epoch := os.environ.get("SOURCE_DATE_EPOCH"):
        try:
            day = datetime.fromtimestamp(int(epoch), tz=UTC).date()
        except (ValueError, OverflowError, OSError):
            raise click.UsageError(f"SOURCE_DATE_EPOCH={epoch} 不是有效的秒数") from None
    else:
        day = date.today()
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        # deadlines and the calendar are computed only within these years (as content dates are)
        raise click.UsageError(f"构建日期 {day} 应在 {FIRST_YEAR}–{LAST_YEAR} 年之间")
    return day


def _count(number: int, word: str) -> str:
    """English with its plural: 1 error, 2 errors."""
    return f"{number} {word}" + ("" if number == 1 else "s")


def _report(report: pipeline.Report, lang: str, fmt: str = "text", writes: bool = False) -> None:
    """Every problem, one a line, then a summary; `writes` when the command would have written files."""
    if fmt == "json":
        items = len(report.catalogue.items) if report.catalogue else 0
        click.echo(report_format.as_json(report.problems, items))
        return
    for problem in report.problems:
        click.echo(report_format.github(problem, lang) if fmt == "github" else problem.format(lang))
    errors, warnings = len(report.errors), len(report.problems) - len(report.errors)
    if errors:
        if lang == "en":
            msg = f"{_count(errors, 'error')}, {_count(warnings, 'warning')}" + (
                "; nothing was written" if writes else ""
            )
        else:
            msg = f"发现 {errors} 个错误、{warnings} 个警告" + ("；未写出任何文件" if writes else "")
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


T = TypeVar("T")


def _run(action: Callable[[], T]) -> T:
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
@click.option(
    "--cache",
    "cache_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="build cache folder (default: .disclose-cache/ under the site)",
)
@click.option("--no-cache", is_flag=True, help="build everything from scratch")
@click.option(
    "--jobs", type=click.IntRange(1, 1024), default=None, help="worker processes (default: the number of cores)"
)
@today_option
@lang_option
def build(
    site: Path, out: Path | None, cache_dir: Path | None, no_cache: bool, jobs: int | None, today: str | None, lang: str
) -> None:
    """Check every rule, then write the whole site atomically."""
    day = build_date(today)
    target = out if out is not None else site / "public"
    cache = None if no_cache else (cache_dir or site / ".disclose-cache")
    progress = Progress()
    report = _run(lambda: pipeline.build(site, target, day, jobs, cache, progress))
    _report(report, lang, writes=True)
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
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "github", "json"]),
    default="text",
    show_default=True,
    help="github: workflow annotations; json: machine-readable",
)
def check(site: Path, today: str | None, lang: str, fmt: str) -> None:
    """Check every rule and write nothing."""
    report = _run(lambda: pipeline.check(site, build_date(today)))
    _report(report, lang, fmt)
    if report.errors:
        sys.exit(1)
    if fmt == "json":
        return
    count = len(report.catalogue.items) if report.catalogue else 0
    click.echo(f"检查通过：{count} 项信息" if lang == "zh" else f"ok: {_count(count, 'item')}", err=True)


@cli.command()
@click.argument("code", required=False)
@lang_option
@click.option("--markdown", is_flag=True, help="the whole catalogue as Markdown (docs/rules.md)")
def rules(code: str | None, lang: str, markdown: bool) -> None:
    """List the rules, or explain one (disclose rules D201)."""
    if markdown:
        from .rules.catalogue_doc import markdown as catalogue_markdown

        click.echo(catalogue_markdown(), nl=False)
        return
    if code is None:
        for each in all_rules():
            title = each.title if lang == "en" else each.title_zh
            mark = " (warning)" if each.severity == "warning" else ""
            click.echo(f"{each.code}  {title}{mark}")
        return
    rule = REGISTRY.get(code.upper())
    if rule is None:
        click.echo(f"disclose: 没有规则 {code}；用 disclose rules 列出全部规则", err=True)
        sys.exit(2)
    from .rules.explanations_zh import EXPLANATIONS  # only this command reads them

    click.echo(f"{rule.code}  {rule.title_zh} — {rule.title}")
    click.echo(f"依据 / source: {rule.source}")
    if rule.severity == "warning":
        click.echo("级别 / severity: warning (does not fail the build)")
    click.echo("")
    click.echo(EXPLANATIONS.get(rule.code, "") if lang == "zh" else rule.explanation)
    click.echo("")
    click.echo("违反此规则的示例 / an example that breaks it:")
    for path, text in rule.example.items():
        click.echo(f"--- {path}")
        shown = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        click.echo(shown.rstrip("\n"))


def _date_option(value: str | None, name: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.UsageError(f"--{name} {value}: 日期格式应为 YYYY-MM-DD") from None


def _file_name(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--name stays inside the kind's folder and makes a clean URL: no `..`, no absolute path, no
    spaces, control characters or URL delimiters (a file name becomes the item's address)."""
    if value is None:
        return None
    parts = value.removesuffix(".md").split("/")
    bad = set(" \t\r\n\\?#%") | {chr(c) for c in range(32)} | {"\x7f"}
    if not value.strip() or value.startswith("/") or any(p in ("", ".", "..") or p.startswith(".") for p in parts):
        raise click.BadParameter(f"“{value}”应是 content/ 下该类别目录中的文件名，如 2024-work-rules")
    if any(c in bad for c in value):
        raise click.BadParameter(f"“{value}”含有空格、控制字符或 ? # % \\；文件名会成为网址，请只用文字、数字、- 和 _")
    return value


@cli.command(name="new")
@click.argument("kind", metavar="KIND")
@site_option
@click.option("--for", "for_", metavar="文号", help="interpretation: the policy it interprets")
@click.option("--name", callback=_file_name, help="file name under the kind's folder (default: the date)")
@click.option("--title")
@click.option("--issuer")
@click.option("--published", help="YYYY-MM-DD")
@click.option("--doc-no", "doc_no", help="policy: 文号")
@click.option("--request-no", "request_no", help="response: 申请编号")
@click.option("--received", help="response: YYYY-MM-DD")
@click.option(
    "--field", "fields", multiple=True, metavar="NAME=VALUE", help="any field of the kind, e.g. fiscal_year=2025"
)
def new(
    kind: str, site: Path, for_: str | None, name: str | None, fields: tuple[str, ...], **given: str | None
) -> None:
    """Write a new content file of KIND (a built-in kind, or a category of site.yaml) with the right
    front matter.

    Missing required fields are asked for on a terminal; elsewhere they must be given as options.
    """
    import difflib

    from . import scaffold
    from .config import load_config

    if not (site / "site.yaml").is_file():
        raise click.UsageError(f"{site}: 找不到 site.yaml（用 --site 指向站点目录）")
    config, problems = load_config(site)
    if config is None:
        for problem in problems:
            click.echo(problem.format("zh"), err=True)
        sys.exit(1)
    kinds = config.kinds
    if kind not in kinds:
        close = difflib.get_close_matches(kind, [k.id for k in kinds], n=1)
        hint = f"是否应为 {close[0]}？" if close else ""
        raise click.UsageError(f"没有类别 {kind}。{hint}可用：{'、'.join(k.id for k in kinds)}")
    specs = kinds.fields_for(kind)
    values: dict = {k: v for k, v in given.items() if v not in (None, "")}
    for key in ("published", "received"):
        if key in values:
            values[key] = _date_option(values[key], key)
    for pair in fields:
        field_name, sep, text = pair.partition("=")
        if not sep or field_name not in specs:
            raise click.UsageError(f"--field {pair}：应写成 字段名=取值，字段名是 {kind} 的字段之一")
        try:
            values[field_name] = scaffold.typed_value(specs[field_name], text)
        except scaffold.ScaffoldError as err:
            raise click.UsageError(str(err)) from None
    if kind == "interpretation":
        if not for_:
            raise click.UsageError("新建政策解读需要 --for 文号（所解读的政策文件）")
        report = _run(lambda: pipeline.check(site, build_date(None)))
        if report.catalogue is None:  # site.yaml, read above, no longer loads
            _report(report, "zh")
            sys.exit(1)
        try:
            policy = scaffold.find_policy(report.catalogue, for_)
        except scaffold.ScaffoldError as err:
            raise click.UsageError(str(err)) from None
        values = {**scaffold.interpretation_defaults(policy), **values}
        name = name or f"{policy.id.rsplit('/', 1)[-1]}-jd"
    options = {"title", "issuer", "published", "doc_no", "request_no", "received"}
    for field_name in scaffold.required_fields(kinds, kind):
        if values.get(field_name) in (None, ""):
            spec = specs[field_name]
            if not sys.stdin.isatty():
                option = "--" + field_name.replace("_", "-") if field_name in options else f"--field {field_name}=…"
                raise click.UsageError(f"缺少 {field_name}（{scaffold.hint(spec)}）：请用 {option} 给出")
            while values.get(field_name) in (None, ""):
                answer = click.prompt(f"{scaffold.hint(spec)}（{field_name}）")
                try:
                    values[field_name] = scaffold.typed_value(spec, answer)
                except scaffold.ScaffoldError as err:
                    click.echo(str(err), err=True)
    if kinds[kind].listed and not values.get("index_no"):
        values["index_no"] = _index_no(site, config, values.get("published") or values.get("received"))
    try:
        path = scaffold.write_new(site, kinds, kind, values, name)
    except scaffold.ScaffoldError as err:
        raise click.UsageError(str(err)) from None
    numbered = f"（索引号 {values['index_no']}）" if values.get("index_no") else ""
    click.echo(f"已新建 {path.relative_to(site).as_posix()}{numbered}")
    if kind == "policy":
        doc_no = normalize_doc_no(values.get("doc_no", ""))
        click.echo(f"下一步：disclose new interpretation --for {doc_no}（同步发布政策解读）")


def _index_no(site: Path, config: SiteConfig, published: date | None) -> str | None:
    """The next free 索引号 when site.yaml gives organization.code (index_numbers.py)."""
    from .index_numbers import assign

    return assign(site, config, published, build_date(None))


@cli.command()
@click.argument("year", type=click.IntRange(FIRST_YEAR, LAST_YEAR))
@site_option
@today_option
@click.option("--csv", "as_csv", is_flag=True, help="print the tables as CSV")
def report(year: int, site: Path, today: str | None, as_csv: bool) -> None:
    """Print the annual report's tables for YEAR (国办公开办函〔2021〕30号)."""
    from .gate import decide
    from .report_views import report_csv, report_text

    result = _run(lambda: pipeline.check(site, build_date(today)))
    if result.errors or result.catalogue is None:
        _report(result, "zh")
        sys.exit(1)
    pub = decide(result.catalogue)
    if as_csv:
        click.echo(report_csv(pub, year).decode("utf-8-sig"), nl=False)
    else:
        click.echo(report_text(pub, year), nl=False)


@cli.command()
@site_option
@today_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="0 picks a free port")
def serve(site: Path, today: str | None, host: str, port: int) -> None:
    """Build, serve on localhost, and rebuild and reload on every change."""
    from .config import load_config
    from .serve import serve as run_server

    if not (site / "site.yaml").is_file():
        raise click.UsageError(f"{site}: 找不到 site.yaml")
    config, _ = load_config(site)
    base = config.base_path if config else "/"
    run_server(site, host, port, lambda: build_date(today), base)


# Objects made before the cyclic collector's first run in a command (default: every 700): a
# rebuild at 10,000 documents makes fewer than this, most of them kept to the end, which the
# collector would walk again and again (50–70 ms of CPU a rebuild) to find next to no garbage.
# Memory is freed by reference counting as before; only cycles wait longer.
GC_THRESHOLD = (100_000, 10, 10)


def main() -> None:
    """Entry point: an unexpected failure is one line, never a traceback, and exit status 3."""
    gc.set_threshold(*GC_THRESHOLD)
    try:
        cli()  # click's standalone mode always ends in SystemExit
    except SystemExit as done:
        if done.code is None or isinstance(done.code, int):
            _exit_now(done.code or 0)
        raise
    except Exception as err:  # noqa: BLE001 - the last line of defence for editors
        click.echo(f"disclose: 内部错误 / internal error: {type(err).__name__}: {err}", err=True)
        click.echo("请把这一行报告给网站维护人员 / please report this line", err=True)
        sys.exit(3)


def _exit_now(code: int) -> None:
    """End the process without tearing down the interpreter: freeing a 10,000-document build's
    objects one by one costs 0.1 s at exit and does nothing. Everything is written and closed by
    then (files, worker pools, threads); only the standard streams need flushing."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe: let the interpreter report it as it would
        sys.exit(code)
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
