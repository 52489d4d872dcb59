"""The security guards of ``make lint`` find what they are there for (scripts/)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[3] / "scripts"


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def check_regexes():
    return _script("check_regexes")


@pytest.fixture(scope="module")
def audit():
    return _script("audit_dependencies")


def _scan(check_regexes, tmp_path, source: str):
    path = tmp_path / "module.py"
    path.write_text(source)
    _count, bad = check_regexes.scan([path])
    return [found.pattern for found, _stars in bad]


@pytest.mark.parametrize(
    ("source", "flagged"),
    [
        # The one that froze the server: tried at every position of a run of spaces.
        ('re.sub(r"[ \\t]+\\n", "\\n", text)', True),
        ('re.compile(r"\\s*([a-zA-Z\\-]+)\\s*:\\s*([^;]*)")', True),
        ('re.search(r"(a+)+b", text)', True),
        ('re.match(r"a*a*b", text)', True),
        ('PREFIX = r"x"\nre.compile(PREFIX + r"\\s*\\s*y")', True),
        # Linear: a run that can end anywhere, an anchored match, a literal first.
        ('re.sub(r"[ \\t\\n]+", " ", text)', False),
        ('re.match(r"\\s*([+-]?\\d+)", text)', False),
        ('re.compile(r"^\\s*<\\?xml[^>]*\\?>")', False),
        ('re.compile(rb"<meta\\b([^>]*)")', False),
        (
            're.sub(r"[ \\t]+\\n", "\\n", text)  # redos: the text is one line of 80 characters',
            False,
        ),
    ],
)
def test_the_redos_scan(check_regexes, tmp_path, source, flagged):
    found = _scan(check_regexes, tmp_path, "import re\n" + source + "\n")
    assert bool(found) is flagged, found


def test_the_code_has_no_unjustified_redos(check_regexes):
    count, bad = check_regexes.scan([SCRIPTS.parent / "cartable"])
    assert count > 40
    assert bad == []


def _completed(stdout: str, returncode: int = 0) -> subprocess.CompletedProcess[str]:
    return subprocess.CompletedProcess([], returncode, stdout, "")


def test_a_known_vulnerability_fails_the_audit(audit, monkeypatch):
    report = {
        "dependencies": [
            {"name": "django", "version": "5.2.0", "vulns": [{"id": "PYSEC-1"}]},
            {"name": "lxml", "version": "6.0.0", "vulns": []},
        ]
    }
    monkeypatch.setattr(audit, "_run", lambda command: _completed(json.dumps(report)))
    assert audit.python_audit() is False


def test_an_unreachable_database_skips_the_audit_with_a_message(audit, monkeypatch, capsys):
    report = {"dependencies": [{"name": "django", "version": "5.2.0", "skip_reason": "404"}]}
    monkeypatch.setattr(audit, "_run", lambda command: _completed(json.dumps(report)))
    assert audit.python_audit() is True
    assert "SKIPPED" in capsys.readouterr().out


def test_npm_audit_fails_on_high_and_skips_when_unreachable(audit, monkeypatch, capsys):
    found = {"metadata": {"vulnerabilities": {"low": 2, "high": 1, "critical": 0, "total": 3}}}
    monkeypatch.setattr(audit, "_run", lambda command: _completed(json.dumps(found), 1))
    assert audit.npm_audit() is False
    refused = {"message": "405 Method Not Allowed", "statusCode": 405}
    monkeypatch.setattr(audit, "_run", lambda command: _completed(json.dumps(refused), 1))
    assert audit.npm_audit() is True
    assert "SKIPPED" in capsys.readouterr().out
