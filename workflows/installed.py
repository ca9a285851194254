"""Which pathway packages this installation runs.

A pathway is one package (`workflows/pip/` is the model): `keys` and `settings` declare what it
adds to the facts and to a program's settings, `pathway` holds its `PATHWAY` (machine, rules,
deadlines, words). The three built in are always installed; a deployment or a test run adds its
own by listing packages in CREDENTIAL_TRACKER_PATHWAYS (comma-separated), read once at import.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

BUILT_IN = ("workflows.pip", "workflows.induction", "workflows.casc")
EXTRA = "CREDENTIAL_TRACKER_PATHWAYS"


def packages() -> tuple[str, ...]:
    """The installed pathway packages, built-in first, each once."""
    extra = [p.strip() for p in os.environ.get(EXTRA, "").split(",") if p.strip()]
    return tuple(dict.fromkeys([*BUILT_IN, *extra]))


def parts(module: str) -> list[ModuleType]:
    """Each installed package's `module` (keys, settings, pathway), in installation order."""
    return [importlib.import_module(f"{package}.{module}") for package in packages()]
