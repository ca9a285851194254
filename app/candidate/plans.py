"""plans pages."""

from . import bp  # noqa: F401
