"""The two scales a standard is rated on, each with level names of its own.

The rule book fixes the exit-interview panel's rubric at 1 to 4, mastery from 3 (rule book C14,
Green Dot: a rating of 3 or more on every CPSEL; `exit_panel_mastery_score`). Self-assessments (and
a mentor's or coach's assessment beside them) use the five levels of the CSTP Continuum of Teaching
Practice; the rule book says how often they are taken, not on what scale, and the ratings already
recorded are on 1 to 5, so both scales stay. No level name is used by both scales (the rubric's 2
was "Emerging", the continuum's 1), and every rating is shown with its scale: "3 of 5 · Applying".
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RatingScale:
    """Levels from 1 up, each with its name."""

    name: str
    levels: dict[int, str]

    @property
    def top(self) -> int:
        """The highest level (the scale's size)."""
        return max(self.levels)

    def describe(self, level: int | None) -> str:
        """A rating as people read it: "3 of 5 · Applying" ("" for none)."""
        if level not in self.levels:
            return ""
        return f"{level} of {self.top} · {self.levels[level]}"


SELF_ASSESSMENT = RatingScale("self-assessment scale (the CSTP Continuum's levels)",
                              {1: "Emerging", 2: "Exploring", 3: "Applying", 4: "Integrating", 5: "Innovating"})
EXIT_PANEL_RUBRIC = RatingScale("exit interview rubric",
                                {1: "Beginning", 2: "Developing", 3: "Proficient", 4: "Exemplary"})
