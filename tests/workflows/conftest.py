"""Fixtures for the pure workflow tests (no app, no database)."""

import sys
from pathlib import Path

# The scenario helpers live next to the tests; make them importable whatever pytest's import
# mode, without a package __init__ (tests/workflows as a package would shadow `workflows`).
sys.path.insert(0, str(Path(__file__).parent))
