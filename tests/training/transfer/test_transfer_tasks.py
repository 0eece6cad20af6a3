"""Transfer tasks (Praxisauftrag): the participant submits per section, a trainer of their
cohort accepts or asks for a revision; acceptance counts for completion when the course says
so. Attackers (another person's section or task, another cohort, replays, accepted tasks,
huge input, disguised files) are refused with German messages and nothing changes."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditAction, AuditEntry
from core import privacy
from tests.factories import (
    UserFactory,
    complete_modules,
    editor,
    enroll,
    make_cohort,
    make_course,
)
from training import errors
from training.errors import NotFoundError, PermissionDeniedError, TrainingError
from training.models import CourseRules, TransferTask
from training.transfer import files, services
from training.transfer.services import ACCEPT, REVISE, review_transfer_task, submit_transfer_task
from training.transfer.views import transfer_task

TEXT = (
    "Ich habe am Schalter einer älteren Frau gezeigt, wie sie den Umzug online meldet, und "
    "die Schritte auf einem Merkblatt festgehalten."
)
PDF = b"%PDF-1.4\n% Praxisauftrag\n"


@pytest.fixture
def transfer_world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    course, section, modules = make_course(modules=1)
    CourseRules.objects.create(course=course, transfer_tasks=CourseRules.TransferTasks.REQUIRED)
    participant = UserFactory(username="praxis")
    enrollment = enroll(participant, course)
    trainer = editor(username="trainer-praxis")
    enrollment.cohort.trainers.add(trainer)
    other_trainer = editor(username="andere-trainerin")
    make_cohort(course=course, trainers=[other_trainer], name="Andere")
    return {
        "course": course,
        "section": section,
        "modules": modules,
        "participant": participant,
        "enrollment": enrollment,
        "trainer": trainer,
        "other_trainer": other_trainer,
    }


def submit(world, **kwargs):
    defaults = {"user": world["participant"], "section_id": world["section"].pk, "text": TEXT}
    defaults["version"] = 0
    return submit_transfer_task(**{**defaults, **kwargs})


def review(world, task, decision=ACCEPT, feedback="Gut.", reviewer=None, version=None):
    return review_transfer_task(
        reviewer=reviewer or world["trainer"],
        task_id=task.pk,
        decision=decision,
        feedback=feedback,
        version=task.version if version is None else version,
    )


def test_acceptance_completes_the_course_when_it_counts(transfer_world):
    # given every module complete and the transfer task submitted
    enrollment = transfer_world["enrollment"]
    complete_modules(enrollment, transfer_world["modules"])
    task = submit(transfer_world)
    enrollment.refresh_from_db()
    assert task.status == TransferTask.Status.SUBMITTED and enrollment.completed_at is None
    # when the trainer accepts it
    task = review(transfer_world, task, feedback="Konkret und wirksam.")
    # then the course is complete, and the review is audited
    enrollment.refresh_from_db()
    assert task.status == TransferTask.Status.ACCEPTED and task.reviewer_name
    assert enrollment.completed_at is not None
    entry = AuditEntry.objects.get(action=AuditAction.TRANSFER_TASK_REVIEWED)
    assert (entry.actor, entry.subject) == (
        transfer_world["trainer"],
        transfer_world["participant"],
    )


def test_optional_tasks_do_not_hold_back_completion(transfer_world):
    CourseRules.objects.update(transfer_tasks=CourseRules.TransferTasks.OPTIONAL)
    complete_modules(transfer_world["enrollment"], transfer_world["modules"])
    transfer_world["enrollment"].refresh_from_db()
    assert transfer_world["enrollment"].completed_at is not None


def test_a_revision_request_then_a_new_version(transfer_world):
    # given a submitted task the trainer sends back with feedback
    task = review(transfer_world, submit(transfer_world), REVISE, "Bitte die Wirkung beschreiben.")
    assert task.status == TransferTask.Status.REVISION
    # when the participant revises it with the version they saw
    task = submit(transfer_world, version=task.version, text=TEXT + " Wirkung: weniger Anrufe.")
    # then it waits again, with the new text
    assert task.status == TransferTask.Status.SUBMITTED and task.text.endswith("Anrufe.")


def test_a_revision_request_needs_feedback(transfer_world):
    task = submit(transfer_world)
    with pytest.raises(TrainingError) as refused:
        review(transfer_world, task, REVISE, "  ")
    assert refused.value.message == services.FEEDBACK_REQUIRED
    task.refresh_from_db()
    assert task.status == TransferTask.Status.SUBMITTED


def test_replayed_and_stale_forms_change_nothing(transfer_world):
    # given a task submitted once (version 1) and accepted (version 2)
    task = submit(transfer_world)
    with pytest.raises(TrainingError) as stale:
        submit(transfer_world, version=0)  # the first form sent again
    assert stale.value.message == services.STALE
    accepted = review(transfer_world, task)
    # when the same review is sent again, and the participant edits the accepted task
    with pytest.raises(TrainingError) as again:
        review(transfer_world, task, REVISE, "Doch nicht.", version=task.version)
    with pytest.raises(TrainingError) as locked:
        submit(transfer_world, version=accepted.version, text=TEXT + " geändert")
    # then both are refused and the task stays accepted with its text
    assert again.value.message == services.NOT_WAITING
    assert locked.value.message == services.ALREADY_ACCEPTED
    accepted.refresh_from_db()
    assert accepted.status == TransferTask.Status.ACCEPTED and accepted.text == TEXT
    assert AuditEntry.objects.filter(action=AuditAction.TRANSFER_TASK_REVIEWED).count() == 1


def test_a_trainer_of_another_cohort_finds_no_task(transfer_world):
    task = submit(transfer_world)
    with pytest.raises(NotFoundError):
        review(transfer_world, task, reviewer=transfer_world["other_trainer"])
    assert not services.tasks_visible_to(transfer_world["other_trainer"]).exists()
    task.refresh_from_db()
    assert task.status == TransferTask.Status.SUBMITTED


def test_a_participant_cannot_review(transfer_world):
    task = submit(transfer_world)
    with pytest.raises(PermissionDeniedError):
        review(transfer_world, task, reviewer=transfer_world["participant"])


def test_a_section_of_a_course_one_is_not_enrolled_in_is_refused(transfer_world):
    _course, other_section, _modules = make_course(modules=1, slug="fremd")
    with pytest.raises(PermissionDeniedError) as refused:
        submit(transfer_world, section_id=other_section.pk)
    assert refused.value.message == errors.NOT_ENROLLED
    with pytest.raises(NotFoundError):
        submit(transfer_world, section_id="1; DROP")
    assert not TransferTask.objects.exists()


def test_a_course_without_transfer_tasks_offers_none(transfer_world):
    CourseRules.objects.update(transfer_tasks=CourseRules.TransferTasks.OFF)
    with pytest.raises(NotFoundError) as refused:
        submit(transfer_world)
    assert refused.value.message == services.NOT_OFFERED


@pytest.mark.parametrize(
    ("text", "message"),
    [("zu kurz", services.TEXT_TOO_SHORT % {"min": 80}), ("x" * 10_001, services.TEXT_TOO_LONG)],
)
def test_too_short_or_huge_texts_are_refused(transfer_world, text, message):
    with pytest.raises(TrainingError) as refused:
        submit(transfer_world, text=text)
    assert refused.value.message == message
    assert not TransferTask.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bericht.pdf", b"<html><script>alert(1)</script>", files.FILE_TYPE),
        ("bericht.exe", b"MZ\x90\x00", files.FILE_TYPE),
        ("bericht.pdf", b"%PDF-" + b"0" * files.MAX_BYTES, files.FILE_TOO_BIG),
        ("leer.pdf", b"", files.FILE_EMPTY),
    ],
)
def test_disguised_huge_or_empty_attachments_are_refused(transfer_world, name, content, message):
    upload = SimpleUploadedFile(name, content)
    with pytest.raises(TrainingError) as refused:
        submit(transfer_world, attachment=upload)
    assert refused.value.message == message
    assert not TransferTask.objects.exists()


def test_the_attachment_reaches_only_its_owner_and_the_cohorts_trainers(transfer_world, client):
    # given a task with a PDF attachment
    task = submit(transfer_world, attachment=SimpleUploadedFile("mein bericht.pdf", PDF))
    assert task.attachment_name == "mein bericht.pdf"
    assert task.attachment.name.startswith("privat/praxisauftraege/")
    own_url = reverse("training:transfer_attachment", args=[transfer_world["section"].pk])
    admin_url = reverse("training_transfer:attachment", args=[task.pk])
    # then the owner downloads it, as an attachment that is never sniffed
    client.force_login(transfer_world["participant"])
    response = client.get(own_url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    # another participant of the course has no such attachment; the other trainer finds none
    stranger = UserFactory(username="fremde")
    enroll(stranger, transfer_world["course"])
    client.force_login(stranger)
    assert client.get(own_url).status_code == 404
    client.force_login(transfer_world["other_trainer"])
    assert client.get(admin_url).status_code == 404
    # the cohort's trainer downloads it, audited
    client.force_login(transfer_world["trainer"])
    assert client.get(admin_url).status_code == 200
    assert AuditEntry.objects.filter(
        action=AuditAction.TRANSFER_TASK_VIEWED, subject=transfer_world["participant"]
    ).exists()


def test_the_participant_page_submits_and_shows_errors_in_german(transfer_world, client):
    client.force_login(transfer_world["participant"])
    url = reverse("training:transfer_task", args=[transfer_world["section"].pk])
    assert client.get(url).status_code == 200
    refused = client.post(url, {"text": "kurz", "version": "0"})
    assert refused.status_code == 400
    assert "mindestens 80 Zeichen" in refused.content.decode()
    assert not TransferTask.objects.exists()
    response = client.post(url, {"text": TEXT, "version": "0"})
    assert response.status_code == 302
    assert TransferTask.objects.get().status == TransferTask.Status.SUBMITTED


def test_an_oversized_request_is_refused_before_it_is_read(transfer_world, rf):
    # given a post announcing ten times the allowed size
    request = rf.post(
        reverse("training:transfer_task", args=[transfer_world["section"].pk]),
        {"text": TEXT, "version": "0"},
    )
    request.META["CONTENT_LENGTH"] = str(10 * files.MAX_BYTES)
    request.user = transfer_world["participant"]
    # when the page receives it
    response = transfer_task(request, section_id=transfer_world["section"].pk)
    # then it is refused in German and nothing is stored
    assert response.status_code == 400 and "höchstens 5 MB" in response.content.decode()
    assert not TransferTask.objects.exists()


def test_the_trainer_queue_and_review_page(transfer_world, client):
    task = submit(transfer_world)
    client.force_login(transfer_world["trainer"])
    queue = client.get(reverse("training_transfer:queue")).content.decode()
    assert transfer_world["section"].title in queue
    review_url = reverse("training_transfer:review", args=[task.pk])
    assert client.get(review_url).status_code == 200
    response = client.post(
        review_url, {"decision": "revise", "feedback": "", "version": task.version}
    )
    assert response.status_code == 400
    assert "was überarbeitet werden soll" in response.content.decode()
    response = client.post(
        review_url, {"decision": "accept", "feedback": "Gut.", "version": task.version}
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == TransferTask.Status.ACCEPTED
    client.force_login(transfer_world["other_trainer"])
    name = transfer_world["participant"].get_full_name()
    assert name not in client.get(reverse("training_transfer:queue")).content.decode()
    assert client.get(review_url).status_code == 404


def test_export_and_erasure_cover_transfer_tasks(transfer_world):
    # given a reviewed task with an attachment
    task = submit(transfer_world, attachment=SimpleUploadedFile("b.pdf", PDF))
    task = review(transfer_world, task, REVISE, "Bitte ergänzen.")
    stored = task.attachment.name
    storage = task.attachment.storage
    entry = privacy.entry_for(TransferTask)
    # then the participant's export has text, feedback and attachment name; the trainer's
    # lists the review
    own = entry.export(transfer_world["participant"])
    assert own[0]["text"] == TEXT and own[0]["feedback"] == "Bitte ergänzen."
    assert entry.export(transfer_world["trainer"])[0]["reviewed_by_you"] is True
    # when both are erased
    entry.erase(transfer_world["participant"])
    entry.erase(transfer_world["trainer"])
    # then text, feedback and file are gone, the state stays, the reviewer is unnamed
    task.refresh_from_db()
    assert (task.text, task.feedback, task.attachment.name) == ("", "", "")
    assert task.status == TransferTask.Status.REVISION
    assert task.reviewed_by is None and task.reviewer_name == "gelöschtes Konto"
    assert not storage.exists(stored)
