"""The printable record as a PDF: the same sections as the HTML summary, from the same RecordSummary.

Only what the exporter may read is in the summary (export.summary filters it), so the PDF holds no
more than the page does; it is written with the documents' one PDF module (evidence/pdf_document).
"""

from __future__ import annotations

from app.models import PATHWAY_LABELS, Pathway
from app.services.enrollments import records, words
from app.services.evidence import plan_document
from app.services.evidence.pdf_document import Block, Document, Facts, Section, Table, render
from app.services.progress.export import RecordSummary, log_kind_label
from workflows.facts import EvidenceKind
from workflows.registry import plugin

# A requirement's state as the record's reader says it.
STATUS_WORDS = {"not_met": "Not yet", "not_recorded": "Not recorded", "missing": "Missing",
                "awaiting_verification": "Submitted", "awaiting_confirmation": "To confirm", "sent_back": "Sent back"}
DOCUMENT_STATUS = {"verified": "Verified", "submitted": "Not checked yet", "sent_back": "Sent back"}


def record_pdf(record: RecordSummary) -> bytes:
    """The record as PDF bytes."""
    return render(document(record))


def file_name(record: RecordSummary) -> str:
    """"Record of Nguyễn Thị Bích Hằng, 2 March 2027.pdf"."""
    return f"Record of {record.board.candidate.name}, {words.day_in_words(record.generated_at)}.pdf"


def document(record: RecordSummary) -> Document:
    """The record, section by section, as the HTML summary orders it."""
    board = record.board
    e = board.enrollment
    facts = [("Program", board.program.name), ("Pathway", PATHWAY_LABELS[Pathway(e.pathway)]),
             ("Now at", board.current.label), ("Enrolled on", words.day_in_words(e.enrolled_on))]
    facts += [(label, value) for label, value in (("Credential sought", e.credential_sought),
                                                  ("Authorization", e.authorization), ("Employer", e.employer)) if value]
    facts += [(records.field_label(key.value), words.day_in_words(day)) for key, day in board.facts.dates.items()]
    sections = [*_requirements(record), _deadlines(record), *_plans(record), *_self_assessments(record),
                _logs(record), _documents(record)]
    return Document(title=f"Record of {board.candidate.name}", created=record.generated_at, facts=tuple(facts),
                    sections=tuple(s for s in sections if s is not None),
                    footer=f"{board.candidate.name} · generated {words.day_in_words(record.generated_at)}")


def _requirements(record: RecordSummary) -> list[Section]:
    met, total = record.board.progress
    return [Section("Requirements", (f"{met} of {total} met.",)), *(
        Section(group.label, (Table(("Requirement", "Status", "Who clears it", "Source"), tuple(
            (item.title, "Met" if item.met else STATUS_WORDS.get(item.status.value, "Not yet"),
             item.rule.clears.label, item.rule.source) for item in group.items), widths=(4, 1, 2, 2)),), level=2)
        for group in record.board.groups)]


def _deadlines(record: RecordSummary) -> Section:
    if not record.board.deadlines:
        return Section("Deadlines", ("No open deadlines.",))
    return Section("Deadlines", (Table(("Deadline", "Due", "Days left", "Set by"), tuple(
        (d.label, words.day_in_words(d.due), str(left), d.source) for d, left in record.board.deadlines),
        widths=(3, 2, 1, 2)),))


def _plans(record: RecordSummary) -> list[Section]:
    sections = [Section("Plans")]
    for shape, plan in record.plans:
        if plan is None or not plan.items:
            sections.append(Section(shape.title, ("Not started.",), level=2))
            continue
        state = "shared for approval" if plan.submitted_at else "draft"
        blocks: list[Block] = [f"Revision {plan.revision} · {state}"]
        blocks += [Facts(((f.label, plan_document.shown(shape, f, plan.summary[f.name])),)) for f in shape.summary
                   if plan.summary.get(f.name)]
        blocks.append(Table(tuple(f.label for f in shape.fields), tuple(
            tuple(plan_document.shown(shape, f, item.get(f.name)) for f in shape.fields) for item in plan.items)))
        sections.append(Section(shape.title, tuple(blocks), level=2))
    sections += [Section(shape.title, ("Confidential to the candidate and their mentor: not included.",), level=2)
                 for shape in record.hidden_plans]
    return sections


def _self_assessments(record: RecordSummary) -> list[Section]:
    standards = plugin(record.board.enrollment.pathway).standards
    if standards is None:
        return []
    heading = f"{standards.label} self-assessments"
    if record.self_assessments is None:
        return [Section(heading, ("Confidential: not included.",))]
    if not record.self_assessments:
        return [Section(heading, ("None yet.",))]
    return [Section(heading, (Table(("Date", *(f"{standards.label} {n}" for n in range(1, 7))), tuple(
        (words.day_in_words(row.taken_on), *(str(row.ratings.get(str(n), "")) for n in range(1, 7)))
        for row in record.self_assessments)),))]


def _logs(record: RecordSummary) -> Section:
    if not record.log_totals:
        return Section("Logs", ("No log entries.",))
    totals = Table(("Kind", "Entries", "Signed", "Signed hours"), tuple(
        (log_kind_label(t.kind), str(t.entries), str(t.signed), words.figure(round(t.hours, 2)))
        for t in record.log_totals))
    entries = Table(("Date", "Kind", "Hours", "Signed by", "Participants", "Notes"), tuple(
        (words.day_in_words(entry.occurred_on), log_kind_label(entry.kind), words.figure(entry.hours),
         record.names.get(entry.signer_id, "") if entry.signed_at else "not signed",  # type: ignore[arg-type]
         ", ".join(entry.participants or []), "confidential" if notes is None else notes)
        for entry, notes in record.logs), widths=(2, 2, 1, 2, 2, 4))
    return Section("Logs", (totals, entries))


def _documents(record: RecordSummary) -> Section:
    if record.evidence is None:
        return Section("Documents", ("Not included.",))
    if not record.evidence:
        return Section("Documents", ("No documents.",))
    return Section("Documents", (Table(("Document", "Version", "File", "Status", "Uploaded"), tuple(
        (words.sentence_case(EvidenceKind(row.kind).label), f"{row.version}{' (replaced)' if row.superseded_at else ''}",
         row.original_filename, DOCUMENT_STATUS.get(row.status, "Replaced"), words.day_in_words(row.uploaded_at))
        for row in record.evidence), widths=(3, 1, 3, 2, 2)),))
