"""Committed Mermaid diagrams match the machines; the CLI prints them; workflows/ stays pure."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from workflows.engine import diagram

ROOT = Path(__file__).resolve().parents[2]
DIAGRAMS = ROOT / "workflows" / "diagrams"


@pytest.mark.parametrize("pathway", ["pip", "induction", "casc"])
def test_the_committed_diagram_matches_the_machine(pathway: str) -> None:
    """Regenerate with: python -m workflows diagram <pathway> > workflows/diagrams/<pathway>.mmd"""
    committed = (DIAGRAMS / f"{pathway}.mmd").read_text()
    assert committed == diagram(pathway, 1)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    """Run `python -m workflows ...` from the repository root."""
    return subprocess.run([sys.executable, "-m", "workflows", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, check=False)


def test_the_cli_prints_a_pathways_mermaid_diagram() -> None:
    """`python -m workflows diagram casc`."""
    done = _run("diagram", "casc")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("stateDiagram-v2")
    assert done.stdout == (DIAGRAMS / "casc.mmd").read_text()


def test_the_cli_exits_2_for_an_unknown_pathway() -> None:
    """A clear message and exit status 2."""
    done = _run("diagram", "stsp")
    assert done.returncode == 2
    assert "unknown pathway 'stsp'" in done.stderr
    assert _run("diagram", "pip", "--version", "7").returncode == 2


def test_workflows_imports_no_web_database_or_queue_library() -> None:
    """The one rule of direction: app -> workflows, never the other way."""
    forbidden = re.compile(r"^\s*(from|import)\s+(flask|sqlmodel|sqlalchemy|redis|rq|app)\b",
                           re.MULTILINE)
    offenders = [p.name for p in (ROOT / "workflows").rglob("*.py")
                 if forbidden.search(p.read_text())]
    assert offenders == []
