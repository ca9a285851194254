"""The two sets of six standards plans and self-assessments are tied to (official names).

CSTP: California Standards for the Teaching Profession (teachers; the 2009 titles, which the
2024 revision keeps). CPSEL: California Professional Standards for Education Leaders (2014).
Rule book §2.5 and §3.5.
"""

from __future__ import annotations

from enum import StrEnum


class StandardSet(StrEnum):
    """Which six standards; the value is what the database stores."""

    CSTP = "cstp"
    CPSEL = "cpsel"

    @property
    def label(self) -> str:
        """The set's short name as people say it."""
        return self.value.upper()

    @property
    def names(self) -> dict[int, str]:
        """Standard number (1-6) -> official name."""
        return CSTP if self is StandardSet.CSTP else CPSEL


CSTP = {
    1: "Engaging and Supporting All Students in Learning",
    2: "Creating and Maintaining Effective Environments for Student Learning",
    3: "Understanding and Organizing Subject Matter for Student Learning",
    4: "Planning Instruction and Designing Learning Experiences for All Students",
    5: "Assessing Students for Learning",
    6: "Developing as a Professional Educator",
}

CPSEL = {
    1: "Development and Implementation of a Shared Vision",
    2: "Instructional Leadership",
    3: "Management and Learning Environment",
    4: "Family and Community Engagement",
    5: "Ethics and Integrity",
    6: "External Context and Policy",
}

def standard_label(standards: StandardSet, number: int) -> str:
    """e.g. "CSTP 2: Creating and Maintaining Effective Environments for Student Learning"."""
    return f"{standards.label} {number}: {standards.names[number]}"
