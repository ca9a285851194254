"""The apprentice pathway's one setting."""

from __future__ import annotations

from workflows.declare import setting

NAME = "apprentice"


class Settings:
    """Thresholds an apprentice program may tune."""

    apprentice_window_days: int = setting(
        90, "Days after enrolment by which the apprentice must be certified.", "test pathway",
        low=1, high=365, pathway=NAME, label="Days to certify an apprentice",
        help="Counted from enrolment; after that the apprenticeship lapses.")
