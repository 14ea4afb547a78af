"""The home study write-up: the homefinder writes it over weeks, a supervisor approves it, and a change after approval
sends it back for approval. Who approved it and when stays in the event log."""

from __future__ import annotations

from sqlalchemy import select

from licensing.application.models import Application
from licensing.tracker.models import HOME_STUDY_MOVES, HomeStudyReport, HomeStudyStatus
from portal import audit
from portal.database import now_utc
from portal.extensions import db
from portal.models import User
from portal.transitions import ChangedMeanwhile, transition

REPORT_SECTIONS = ["family_background", "motivation", "parenting", "home_and_community", "recommendation"]


def report_for(application_id: int) -> HomeStudyReport | None:
    return db.session.scalar(select(HomeStudyReport).where(HomeStudyReport.application_id == application_id))


def save_report(staff: User, application: Application, expected_version: int | None, sections: dict) -> None:
    """Save the write-up. Saving an approved write-up withdraws the approval: it needs approving again."""
    report = report_for(application.id)
    if report is None:
        report = HomeStudyReport(application_id=application.id, sections={}, status=HomeStudyStatus.DRAFT)
        db.session.add(report)
    elif expected_version is None or report.version != expected_version:
        # Opened before someone else's first save (no version yet), or before a later one: never overwrite it.
        raise ChangedMeanwhile
    report.sections = {key: sections.get(key, "").strip() for key in REPORT_SECTIONS}
    report.updated_at, report.updated_by_id = now_utc(), staff.id
    if report.status is HomeStudyStatus.APPROVED:
        transition(HOME_STUDY_MOVES, report, HomeStudyStatus.DRAFT, actor=staff,
                   household_id=application.household_id, action="home_study_changed_after_approval")
    audit.record("home_study_saved", actor=staff, target=report, household_id=application.household_id)
    db.session.flush()  # a stale version (someone else saved meanwhile) shows here, not at commit


def approve_report(supervisor: User, report: HomeStudyReport, household_id: int) -> None:
    transition(HOME_STUDY_MOVES, report, HomeStudyStatus.APPROVED, actor=supervisor, household_id=household_id)
    report.approved_at, report.approved_by_id = now_utc(), supervisor.id
