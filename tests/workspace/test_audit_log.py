"""Trainers' access is written to the audit log: opening a participant's record or attempt,
marking an essay (points before and after) and every export of a report or participant list,
including export jobs when they are created."""

import pytest
from django.urls import reverse

from audit.models import AuditAction, AuditEntry
from tests.factories import enroll_many
from tests.workspace.essay_sittings import ESSAY_ID, essay_quiz, essay_sitting
from training.quizzes import marking
from workspace import services as workspace_services
from workspace.models import WorkspaceJob


def url(name, *args):
    return reverse(f"training_workspace:{name}", args=args)


def entries():
    """(actor, action, target type, target id, subject, details) of every entry, oldest first."""
    return [
        (e.actor, e.action, e.target_type, e.target_id, e.subject, e.details)
        for e in AuditEntry.objects.order_by("pk")
    ]


@pytest.fixture
def participant(cohort):
    (enrollment,) = enroll_many(cohort, 1)
    return enrollment


@pytest.fixture
def sitting(participant, course):
    return essay_sitting(enrollment=participant, quiz=essay_quiz(), course=course)


def test_opening_a_participant_is_recorded(trainer_client, trainer, cohort, participant):
    # when the trainer opens the participant's record
    response = trainer_client.get(url("participant", cohort.pk, participant.pk))
    # then the log says who looked at whose record, in which cohort
    assert response.status_code == 200
    assert entries() == [
        (
            trainer,
            AuditAction.PARTICIPANT_VIEWED,
            "training.enrollment",
            str(participant.pk),
            participant.user,
            {"cohort": cohort.pk},
        )
    ]


def test_opening_an_attempt_is_recorded(trainer_client, trainer, cohort, participant, sitting):
    trainer_client.get(url("sitting", cohort.pk, participant.pk, sitting.pk))
    trainer_client.get(reverse("training_marking:sitting", args=[sitting.pk]))

    assert entries() == [
        (
            trainer,
            AuditAction.SITTING_VIEWED,
            "training.sitting",
            str(sitting.pk),
            participant.user,
            {"cohort": cohort.pk},
        ),
        (
            trainer,
            AuditAction.SITTING_VIEWED,
            "training.sitting",
            str(sitting.pk),
            participant.user,
            {},
        ),
    ]


def test_marking_records_the_points_before_and_after(trainer_client, trainer, sitting):
    # when the trainer marks the essay in the admin and corrects the mark in the service
    response = trainer_client.post(
        reverse("training_marking:sitting", args=[sitting.pk]),
        {"block_id": ESSAY_ID, "points": "3", "feedback": "Gut."},
    )
    marking.mark_essay(
        sitting_id=sitting.pk, block_id=ESSAY_ID, points="4", feedback="", marked_by=trainer
    )
    # then both marks are in the log, with the points before and after
    assert response.status_code == 302
    marked = [e for e in entries() if e[1] == AuditAction.ANSWER_MARKED]
    subject = sitting.user
    assert marked == [
        (
            trainer,
            AuditAction.ANSWER_MARKED,
            "training.sitting",
            str(sitting.pk),
            subject,
            {"block_id": ESSAY_ID, "old_points": None, "new_points": "3.00"},
        ),
        (
            trainer,
            AuditAction.ANSWER_MARKED,
            "training.sitting",
            str(sitting.pk),
            subject,
            {"block_id": ESSAY_ID, "old_points": "3.00", "new_points": "4.00"},
        ),
    ]


def test_a_refused_mark_is_not_recorded(trainer_client, sitting):
    response = trainer_client.post(
        reverse("training_marking:sitting", args=[sitting.pk]),
        {"block_id": ESSAY_ID, "points": "9", "feedback": ""},
    )

    assert response.status_code == 400
    assert not AuditEntry.objects.filter(action=AuditAction.ANSWER_MARKED).exists()


def test_every_export_is_recorded(trainer_client, trainer, cohort, participant):
    # when the trainer exports the report (filtered) and the participant list in both formats
    section = cohort.course.get_children().first().pk
    responses = [
        trainer_client.get(url("report_export", cohort.pk, "csv"), {"section": section}),
        trainer_client.post(url("report_export", cohort.pk, "xlsx")),
        trainer_client.get(url("participants_export", cohort.pk, "csv")),
        trainer_client.post(url("participants_export", cohort.pk, "xlsx")),
    ]
    # then each export is one entry about the cohort (no single participant), with its filters
    assert [r.status_code for r in responses] == [200] * 4
    no_filter = {"section": None, "status": None, "unit": None}
    assert entries() == [
        (
            trainer,
            AuditAction.REPORT_EXPORTED,
            "training.cohort",
            str(cohort.pk),
            None,
            {"kind": kind, "format": fmt, "params": params},
        )
        for kind, fmt, params in [
            ("report_export", "csv", {**no_filter, "section": section}),
            ("report_export", "xlsx", no_filter),
            ("participants_export", "csv", {}),
            ("participants_export", "xlsx", {}),
        ]
    ]


def test_an_export_job_is_recorded_when_it_is_created(
    trainer_client, trainer, cohort, participant, monkeypatch
):
    # given a cohort too large to export within the request
    monkeypatch.setattr(workspace_services, "INLINE_MAX_ROWS", 0)
    # when the trainer asks for both XLSX exports
    trainer_client.post(url("report_export", cohort.pk, "xlsx"), {"status": "complete"})
    trainer_client.post(url("participants_export", cohort.pk, "xlsx"))
    # then each job is recorded as it is created, with its id
    report_job, list_job = WorkspaceJob.objects.order_by("pk")
    assert [(e[0], e[1], e[2], e[3], e[5]) for e in entries()] == [
        (
            trainer,
            AuditAction.REPORT_EXPORTED,
            "training.cohort",
            str(cohort.pk),
            {
                "kind": "report_export",
                "format": "xlsx",
                "params": {"section": None, "status": "complete", "unit": None},
                "job": report_job.pk,
            },
        ),
        (
            trainer,
            AuditAction.REPORT_EXPORTED,
            "training.cohort",
            str(cohort.pk),
            {"kind": "participants_export", "format": "xlsx", "params": {}, "job": list_job.pk},
        ),
    ]


def test_pages_refused_with_404_record_nothing(client, other_trainer, cohort, participant, sitting):
    client.force_login(other_trainer)

    responses = [
        client.get(url("participant", cohort.pk, participant.pk)),
        client.get(url("sitting", cohort.pk, participant.pk, sitting.pk)),
        client.get(url("report_export", cohort.pk, "csv")),
        client.get(reverse("training_marking:sitting", args=[sitting.pk])),
    ]

    assert [r.status_code for r in responses] == [404] * 4
    assert not AuditEntry.objects.exists()
