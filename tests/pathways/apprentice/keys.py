"""The apprentice pathway's keys."""

from __future__ import annotations

from enum import StrEnum

from workflows.declare import Labelled, labels

NAME = "apprentice"


class KeyDate(StrEnum):
    """Key dates of this pathway: kept in the enrolment's facts document, no column of its own."""

    OBSERVED_ON = "apprentice_observed_on"


class EvidenceKind(Labelled):
    """Documents of this pathway a rule can require."""

    PORTFOLIO = "apprentice_portfolio"
    OBSERVATION_RECORD = "apprentice_observation_record"


labels(EvidenceKind, {
    EvidenceKind.PORTFOLIO: "apprenticeship portfolio",
    EvidenceKind.OBSERVATION_RECORD: "classroom observation record",
})


class SignOff(Labelled):
    """Sign-offs of this pathway."""

    OBSERVED = "apprentice_observed"


labels(SignOff, {SignOff.OBSERVED: "Observed in class"})
