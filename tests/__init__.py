"""The test suite.

The suite installs a pathway of its own, `tests.pathways.apprentice`, before anything imports
`workflows`: it proves that a pathway is one folder the app serves without naming it.
"""

import os

from workflows.installed import EXTRA

_TEST_PATHWAYS = "tests.pathways.apprentice"
if _TEST_PATHWAYS not in os.environ.get(EXTRA, ""):
    os.environ[EXTRA] = ",".join(p for p in (os.environ.get(EXTRA, ""), _TEST_PATHWAYS) if p)
