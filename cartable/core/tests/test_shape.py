"""The import contracts of pyproject.toml (docs/development.md, "The shape of a tool") fail the
lint when broken: shown on a copy of the code with a tool importing another tool's models."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(  # noqa: S603 (our own tool, our own files)
        [str(LINT_IMPORTS), "--config", str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    shutil.copytree(
        REPO / "cartable",
        root / "cartable",
        ignore=shutil.ignore_patterns("static", "locale", "templates", "__pycache__", "vendor"),
    )
    return root


def _plant(tree: Path, module: str, line: str) -> None:
    path = tree / (module.replace(".", "/") + ".py")
    path.write_text(path.read_text() + f"\n{line}\n")


def test_the_contracts_hold_and_fail_on_a_tool_importing_another(tree):
    kept = _lint(tree)
    assert kept.returncode == 0, kept.stdout + kept.stderr
    _plant(tree, "cartable.pad.views.pages", "from cartable.drive import models as _drive_models")
    broken = _lint(tree)
    assert broken.returncode != 0
    assert "tools never import each other" in broken.stdout
    assert "cartable.pad.views.pages -> cartable.drive.models" in broken.stdout


def test_the_layers_fail_on_actions_importing_an_adapter(tree):
    _plant(tree, "cartable.pad.actions.pads", "from cartable.pad.views import common as _views")
    broken = _lint(tree)
    assert broken.returncode != 0
    assert "tools never import each other, except their public module KEPT" in broken.stdout
    assert "cartable.pad.actions.pads -> cartable.pad.views.common" in broken.stdout
