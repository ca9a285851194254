"""Signing several logs at once: the checks of one by one, all or none, one audit event per entry;
from the candidate's logs page, the inbox and the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlmodel import Session, select

from app.models import AuditEvent, LogEntry
from app.services import NotPermitted
from app.services.evidence import logs
from tests.api.helpers import api_as
from tests.app.evidence.test_logs import coached, log
from tests.app.pathway_driver import PathwayDriver
from tests.conftest import Auth, csrf_token
from tests.today import TODAY
from workflows.facts import Count
from workflows.roles import Role


def weeks_of_logs(driver: PathwayDriver, weeks: int = 3) -> list[LogEntry]:
    """One coaching meeting and one professional-learning entry in each of the last `weeks` weeks."""
    entries = []
    for n in range(weeks):
        day = TODAY - timedelta(days=7 * n + 1)
        entries.append(log(driver, occurred_on=day))
        entries.append(log(driver, kind="professional_learning", occurred_on=day, hours=2.0))
    return entries


@pytest.fixture
def casc(app: Flask, session: Session) -> PathwayDriver:
    return coached(app, session, enrolled_days_ago=120)


def signed_ids(session: Session) -> set[int]:
    session.expire_all()
    return {e.id for e in session.exec(select(LogEntry).where(LogEntry.signed_at.is_not(None))).all()}  # type: ignore[union-attr, misc]


def audit(session: Session) -> list[AuditEvent]:
    return session.exec(select(AuditEvent).where(AuditEvent.action == "log.signed")).all()  # type: ignore[return-value]


def test_the_coach_signs_a_candidates_entries_at_once_one_audit_event_each(casc: PathwayDriver) -> None:
    entries = weeks_of_logs(casc)
    coach = casc.people[Role.COACH]
    signed = logs.sign_many(casc.session, casc.refresh(), coach, [e.id for e in reversed(entries)])  # type: ignore[misc]
    casc.session.commit()
    assert [e.occurred_on for e in signed] == sorted(e.occurred_on for e in entries)  # oldest first
    assert signed_ids(casc.session) == {e.id for e in entries}
    assert sorted(a.details["log"] for a in audit(casc.session)) == sorted(e.id for e in entries)  # type: ignore[index]
    assert {a.actor_id for a in audit(casc.session)} == {coach.id}
    assert casc.facts().counts[Count.COACHING_WEEKS_Y1] == 3
    assert logs.signed_words(signed).startswith(f"Signed 6 entries from {entries[-1].occurred_on.day} ")


def test_one_entry_that_may_not_be_signed_refuses_them_all_and_says_which(casc: PathwayDriver) -> None:
    entries = weeks_of_logs(casc, 2)
    coach = casc.people[Role.COACH]
    logs.sign(casc.session, entries[0], coach)  # signed meanwhile, in another tab
    casc.session.commit()
    with pytest.raises(logs.NotAllSignable) as refused:
        logs.sign_many(casc.session, casc.refresh(), coach, [e.id for e in entries])  # type: ignore[misc]
    casc.session.rollback()
    day = entries[0].occurred_on
    assert refused.value.message.startswith("Nothing was signed, because the coaching entry of "
                                            f"{day.day} {day:%B %Y}: this entry is already signed")
    assert len(refused.value.reasons) == 1
    assert signed_ids(casc.session) == {entries[0].id}
    assert len(audit(casc.session)) == 1


def test_an_entry_of_another_candidate_refuses_them_all(app: Flask, session: Session, casc: PathwayDriver) -> None:
    mine = weeks_of_logs(casc, 1)
    other = coached(app, session, enrolled_days_ago=30)
    theirs = log(other)
    with pytest.raises(logs.LogError, match=f"entry {theirs.id} is not one of this candidate's logs"):
        logs.sign_many(session, casc.refresh(), casc.people[Role.COACH], [*(e.id for e in mine), theirs.id])  # type: ignore[misc]
    session.rollback()
    assert signed_ids(session) == set()


@pytest.mark.parametrize("role", [Role.PROGRAM_DIRECTOR, Role.CANDIDATE, Role.PANEL_MEMBER])
def test_only_who_signs_the_logs_may_sign_several_even_an_empty_list(casc: PathwayDriver, role: Role) -> None:
    entries = weeks_of_logs(casc, 1)
    for ids in ([e.id for e in entries], []):
        with pytest.raises(NotPermitted):
            logs.sign_many(casc.session, casc.refresh(), casc.person(role), ids)  # type: ignore[arg-type]
    with pytest.raises(logs.LogError, match="Choose the entries"):
        logs.sign_many(casc.session, casc.refresh(), casc.people[Role.COACH], [])


def test_the_groups_offered_are_all_each_month_and_each_week_with_more_than_one() -> None:
    monday = TODAY - timedelta(days=TODAY.weekday() + 7 * 8)

    def entry(i: int, days: int, signer: int = 7, signed: bool = False) -> LogEntry:
        return LogEntry(id=i, enrollment_id=1, kind="coaching", occurred_on=monday + timedelta(days=days), hours=1,
                        author_id=1, signer_id=signer, program_year=1, signed_at=TODAY if signed else None)  # type: ignore[arg-type]

    rows = [entry(1, 0), entry(2, 2), entry(3, 7), entry(4, 9, signed=True), entry(5, 10, signer=8), entry(6, 40)]
    groups = logs.signing_groups(rows, 7)
    assert groups[0].label == "Sign all 4 entries waiting for you" and groups[0].log_ids == (1, 2, 3, 6)
    weeks = [g for g in groups if "week of" in g.label]
    assert [g.log_ids for g in weeks] == [(1, 2)]  # the only week with two waiting on signer 7
    assert weeks[0].label == f"Sign the 2 entries of the week of {monday.day} {monday:%B}"
    assert logs.signing_groups(rows, 8) == []  # one entry: the entry's own button is enough


# --- Pages and the API ------------------------------------------------------------------------------


def test_the_logs_page_signs_a_group_and_shows_a_refusal_without_signing(app: Flask, casc: PathwayDriver) -> None:
    entries = weeks_of_logs(casc, 2)
    eid = casc.enrollment.id
    client = app.test_client()
    Auth(client).sign_in(casc.people[Role.COACH].email)
    page = client.get(f"/enrollments/{eid}/logs").get_data(as_text=True)
    assert "Sign several at once" in page and "Sign all 4 entries waiting for you" in page
    token = csrf_token(client, f"/enrollments/{eid}/logs")
    logs.sign(casc.session, entries[1], casc.people[Role.COACH])
    casc.session.commit()
    stale = client.post(f"/enrollments/{eid}/logs/sign",
                        data={"csrf_token": token, "log_id": [str(e.id) for e in entries]})
    assert stale.status_code == 409 and "Nothing was signed, because the professional learning entry of" \
        in stale.get_data(as_text=True)
    assert signed_ids(casc.session) == {entries[1].id}
    rest = [str(e.id) for e in entries if e.id != entries[1].id]
    done = client.post(f"/enrollments/{eid}/logs/sign", data={"csrf_token": token, "log_id": rest},
                       follow_redirects=True)
    assert done.status_code == 200 and "Signed 3 entries from" in done.get_data(as_text=True)
    assert signed_ids(casc.session) == {e.id for e in entries}
    assert "Sign several at once" not in client.get(f"/enrollments/{eid}/logs").get_data(as_text=True)


def test_the_candidate_sees_no_group_buttons_and_may_not_post_them(app: Flask, casc: PathwayDriver) -> None:
    entries = weeks_of_logs(casc, 2)
    eid = casc.enrollment.id
    client = app.test_client()
    Auth(client).sign_in(casc.candidate.email)
    assert "Sign several at once" not in client.get(f"/enrollments/{eid}/logs").get_data(as_text=True)
    token = csrf_token(client, f"/enrollments/{eid}/logs")
    response = client.post(f"/enrollments/{eid}/logs/sign",
                           data={"csrf_token": token, "log_id": [str(e.id) for e in entries]})
    assert response.status_code == 403 and signed_ids(casc.session) == set()


def test_the_inbox_signs_all_of_one_candidates_logs(app: Flask, casc: PathwayDriver) -> None:
    entries = weeks_of_logs(casc, 2)
    client = app.test_client()
    Auth(client).sign_in(casc.people[Role.COACH].email)
    page = client.get("/inbox?tab=logs").get_data(as_text=True)
    button = f"Sign all 4 of {casc.candidate.name}’s logs"
    assert button in page
    token = csrf_token(client, "/inbox?tab=logs")
    done = client.post(f"/inbox/enrollments/{casc.enrollment.id}/logs/sign", follow_redirects=True,
                       data={"csrf_token": token, "tab": "logs", "log_id": [str(e.id) for e in entries]})
    text = done.get_data(as_text=True)
    assert f"{casc.candidate.name}: Signed 4 entries from" in text and button not in text
    assert signed_ids(casc.session) == {e.id for e in entries}
    again = client.post(f"/inbox/enrollments/{casc.enrollment.id}/logs/sign", follow_redirects=True,
                        data={"csrf_token": token, "tab": "logs", "log_id": [str(entries[0].id)]})
    assert "Nothing was signed, because the coaching entry of" in again.get_data(as_text=True)


def test_the_api_signs_several_or_refuses_them_all_with_the_reasons(app: Flask, session: Session,
                                                                   casc: PathwayDriver) -> None:
    entries = weeks_of_logs(casc, 2)
    eid = casc.enrollment.id
    coach = api_as(app, session, casc.people[Role.COACH])
    logs.sign(session, entries[0], casc.people[Role.COACH])
    session.commit()
    refused = coach.post(f"/enrollments/{eid}/logs/sign", json={"log_ids": [e.id for e in entries]})
    assert refused.status_code == 409 and len(refused.json["reasons"]) == 1  # type: ignore[index]
    assert signed_ids(session) == {entries[0].id}
    ids = [e.id for e in entries[1:]]
    signed = coach.post(f"/enrollments/{eid}/logs/sign", json={"log_ids": ids})
    assert signed.status_code == 200, signed.json
    assert sorted(item["id"] for item in signed.json["items"]) == sorted(ids)  # type: ignore[index]
    assert all(item["signed_at"] for item in signed.json["items"])  # type: ignore[index]
    director = api_as(app, session, casc.people[Role.PROGRAM_DIRECTOR])
    assert director.post(f"/enrollments/{eid}/logs/sign", json={"log_ids": ids}).status_code == 403
    assert coach.post(f"/enrollments/{eid}/logs/sign", json={"log_ids": []}).status_code == 422  # invalid body


def test_the_pip_support_provider_signs_ten_preservice_entries_with_one_signature(app: Flask,
                                                                                  session: Session) -> None:
    driver = PathwayDriver(app, session, "pip", enrolled_days_ago=30)
    # Ten 12-hour entries: one by one they took ten signatures (issue 25).
    provider = driver.people[Role.PREP_PROGRAM_SUPPORT_PROVIDER]
    entries = [logs.add(session, driver.refresh(), driver.candidate, kind="preservice",
                        occurred_on=TODAY - timedelta(days=n + 1), hours=12.0, notes="", signer=provider, today=TODAY)
               for n in range(10)]
    session.commit()
    [everything, *_] = logs.signing_groups(entries, provider.id)  # type: ignore[arg-type]
    assert everything.label == "Sign all 10 entries waiting for you"
    logs.sign_many(session, driver.refresh(), provider, everything.log_ids)
    session.commit()
    assert signed_ids(session) == {e.id for e in entries} and len(audit(session)) == 10
    driver.walker().assign(Role.MENTOR)  # the mentor signs other kinds of PIP log, never these
    session.commit()
    with pytest.raises(logs.LogError, match="only the person this entry names can sign it"):
        logs.sign_many(session, driver.refresh(), driver.people[Role.MENTOR], [entries[0].id])  # type: ignore[list-item]
