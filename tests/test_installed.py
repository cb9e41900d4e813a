"""The engines' versions are found as importlib.metadata finds them, without importing it, and a
changed version empties the build cache."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as metadata_version
from pathlib import Path

import pytest

from disclose import build_cache, installed
from disclose.build_cache import ENGINES, BuildCache

from .conftest import copy_sample, run

TODAY = "2026-11-22"


@pytest.fixture
def fresh_key():
    build_cache._engine_key.cache_clear()
    yield
    build_cache._engine_key.cache_clear()


def _ahead(monkeypatch, *folders: Path) -> None:
    monkeypatch.setattr(sys, "path", [*map(str, folders), *sys.path])


def _asked(monkeypatch) -> list[str]:
    asked: list[str] = []
    real = installed._metadata_version
    monkeypatch.setattr(installed, "_metadata_version", lambda name: asked.append(name) or real(name))
    return asked


def _metadata_or_unknown(name: str) -> str:
    try:
        return metadata_version(name)
    except PackageNotFoundError:  # markdown-it-pyrs is installed under one of its two names
        return installed.UNKNOWN


def test_the_engines_versions_are_importlib_metadatas(monkeypatch):
    asked = _asked(monkeypatch)
    assert installed.versions(ENGINES) == {name: _metadata_or_unknown(name) for name in ENGINES}
    assert asked == []  # all read from the folders' names
    found = installed.versions(ENGINES)
    assert found["markdown-it-py"] != installed.UNKNOWN
    assert {found["markdown-it-pyrs"], found["markdown-it-pyrs-abi3"]} != {installed.UNKNOWN}  # under either name


def test_a_rebuild_imports_neither_importlib_metadata_nor_what_it_does_not_use(tmp_path):
    """The engine key and the calendar's version in the page keys are read without
    importlib.metadata (0.03–0.1 s a process); a rebuild after a body edit reads no attachment
    (zipfile, ElementTree)."""
    site = copy_sample(tmp_path)
    code = (
        "import sys, datetime; from pathlib import Path; from disclose import pipeline; "
        f"pipeline.build(Path({str(site)!r}), Path({str(tmp_path / 'out')!r}), datetime.date(2026, 11, 22), "
        f"cache_dir=Path({str(tmp_path / 'cache')!r})); "
        "print(sorted(m for m in ('importlib.metadata', 'zipfile', 'xml.etree.ElementTree') "
        "if m in sys.modules))"
    )
    cold = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert "importlib.metadata" not in cold.stdout
    policy = site / "content/policies/shaoxing-2022-work-rules.md"
    policy.write_text(policy.read_text(encoding="utf-8").replace("第一条", "第一条（修订）", 1), encoding="utf-8")
    again = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert again.stdout.strip() == "[]"


def test_the_first_folder_on_the_path_decides(monkeypatch, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    for folder, name, version in ((first, "Jinja2", "9.1"), (second, "jinja2", "9.2")):
        info = folder / f"{name}-{version}.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: Jinja2\nVersion: {version}\n")
    _ahead(monkeypatch, first, second)
    assert installed.versions(["Jinja2"]) == {"Jinja2": "9.1"} == {"Jinja2": metadata_version("Jinja2")}


def test_two_versions_in_one_folder_both_count(monkeypatch, tmp_path):
    (tmp_path / "markupsafe-2.0.dist-info").mkdir()
    (tmp_path / "MarkupSafe-3.0.dist-info").mkdir()
    _ahead(monkeypatch, tmp_path)
    assert installed.versions(["MarkupSafe"]) == {"MarkupSafe": "2.0|3.0"}


def test_what_the_names_cannot_tell_is_asked_of_importlib(monkeypatch, tmp_path):
    (tmp_path / "pypdf.egg-info").mkdir()  # a development install: no version in the name
    (tmp_path / "pypdf.egg-info/PKG-INFO").write_text("Metadata-Version: 2.1\nName: pypdf\nVersion: 8.8\n")
    _ahead(monkeypatch, tmp_path)
    asked = _asked(monkeypatch)
    assert installed.versions(["pypdf", "Jinja2"]) == {"pypdf": "8.8", "Jinja2": metadata_version("Jinja2")}
    assert asked == ["pypdf"]


def test_a_zip_on_the_path_leaves_the_rest_to_importlib(monkeypatch, tmp_path):
    archive = tmp_path / "engines.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("jinja2-7.7.dist-info/METADATA", "Metadata-Version: 2.1\nName: Jinja2\nVersion: 7.7\n")
    _ahead(monkeypatch, archive)
    asked = _asked(monkeypatch)
    assert installed.versions(["Jinja2"]) == {"Jinja2": "7.7"}
    assert asked == ["Jinja2"]


def test_another_finder_of_distributions_leaves_all_to_importlib(monkeypatch):
    class Finder:
        def find_spec(self, *args):
            return None

        def find_distributions(self, context=None):
            return iter(())

    monkeypatch.setattr(sys, "meta_path", [Finder(), *sys.meta_path])
    asked = _asked(monkeypatch)
    installed.versions(["Jinja2", "pypdf"])
    assert asked == ["Jinja2", "pypdf"]


def test_a_package_not_installed_is_unknown(monkeypatch):
    asked = _asked(monkeypatch)
    assert installed.versions(["no-such-package-xyz"]) == {"no-such-package-xyz": installed.UNKNOWN}
    assert asked == []


def test_a_changed_engine_version_empties_the_cache(tmp_path, monkeypatch, fresh_key):
    site, cache = copy_sample(tmp_path), tmp_path / "cache"
    assert (
        run(
            "build", "--site", str(site), "--out", str(tmp_path / "out"), "--cache", str(cache), "--today", TODAY
        ).exit_code
        == 0
    )
    assert BuildCache.open(cache).sources
    (tmp_path / "newer" / "python_docx-99.0.dist-info").mkdir(parents=True)
    _ahead(monkeypatch, tmp_path / "newer")
    build_cache._engine_key.cache_clear()
    opened = BuildCache.open(cache)
    assert not opened.sources and not opened.manifest and not opened.page_keys


def test_a_changed_data_file_of_the_package_changes_the_key(monkeypatch, tmp_path, fresh_key):
    key = build_cache._engine_key()
    package = tmp_path / "disclose"
    for name in build_cache._package_files(str(Path(build_cache.__file__).parent)):
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_bytes((Path(build_cache.__file__).parent / name).read_bytes())
    monkeypatch.setattr(build_cache, "__file__", str(package / "build_cache.py"))
    build_cache._engine_key.cache_clear()
    assert build_cache._engine_key() == key  # the same files: the same key
    with (package / "statutory.yaml").open("a", encoding="utf-8") as handle:
        handle.write("\n")
    build_cache._engine_key.cache_clear()
    assert build_cache._engine_key() != key
