"""Participant import: read CSV/XLSX, preview every row's problems, then all or nothing."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from tests.factories import UserFactory, enroll_many, make_cohort
from training import services as training_services
from training.models import Enrollment, EnrollmentEvent, OrganisationUnit
from workspace import imports
from workspace import services as workspace_services
from workspace.models import WorkspaceJob

User = get_user_model()
HEADER = "Vorname;Nachname;E-Mail;Organisationseinheit;Kursdurchführung"


def csv_file(*lines, name="teilnehmende.csv", encoding="utf-8"):
    return SimpleUploadedFile(name, "\n".join([HEADER, *lines]).encode(encoding))


def xlsx_file(rows, name="teilnehmende.xlsx"):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def state():
    return (
        User.objects.count(),
        Enrollment.objects.count(),
        EnrollmentEvent.objects.count(),
        OrganisationUnit.objects.count(),
    )


def problems(job):
    return {
        row["line"]: [imports.row_message(p) for p in row["problems"]]
        for row in job.result["rows"]
        if row["problems"]
    }


def test_the_preview_lists_every_rows_problems_and_writes_nothing(cohort, trainer, other_cohort):
    # given an existing participant of this cohort and one of another trainer's cohort
    UserFactory(username="bekannt", email="bekannt@example.org")
    training_services.enroll_participant(cohort=cohort, email="bekannt@example.org", actor=trainer)
    before = state()
    upload = csv_file(
        "Anna;Muster;anna@example.org;Einwohneramt;",
        "Beat;Kein;;Einwohneramt;",
        "Carla;Falsch;carla(at)example.org;;",
        "Anna;Doppelt;ANNA@example.org;;",
        "Dora;Bekannt;bekannt@example.org;;",
        f"Emil;Fremd;emil@example.org;;{other_cohort.name}",
        "Fritz;Unbekannt;fritz@example.org;;Gibt es nicht",
    )
    # when
    job = workspace_services.start_import(cohort=cohort, upload=upload, actor=trainer)
    # then
    assert job.status == WorkspaceJob.Status.PREVIEW
    assert problems(job) == {
        3: ["E-Mail-Adresse fehlt."],
        4: ["E-Mail-Adresse «carla(at)example.org» ist ungültig."],
        5: ["E-Mail-Adresse steht schon in Zeile 2."],
        7: ["Kursdurchführung «Bauamt 2027» ist unbekannt."],
        8: ["Kursdurchführung «Gibt es nicht» ist unbekannt."],
    }
    notes = {r["line"]: r["notes"] for r in job.result["rows"] if r["notes"]}
    assert {line: [imports.row_message(n) for n in n_] for line, n_ in notes.items()} == {
        6: ["Bereits eingeschrieben; die Zeile wird übersprungen."]
    }
    assert job.result["errors"] == 5
    assert state() == before
    # and the import cannot be confirmed
    with pytest.raises(Exception) as refused:
        workspace_services.confirm_import(job=job, actor=trainer)
    assert str(workspace_services.JOB_NOT_CONFIRMABLE) in str(refused.value)
    assert state() == before


def test_a_clean_file_imports_all_rows_and_invites_new_people(
    cohort, trainer, django_capture_on_commit_callbacks
):
    # given a file with two new people (one in a new unit) and an existing account
    existing = UserFactory(username="hans", email="Hans.Muster@example.org")
    upload = csv_file(
        "Anna;Muster;anna@example.org;Einwohneramt;",
        "Beat;Beispiel;beat@example.org;Einwohneramt;" + cohort.name,
        "Hans;Muster;hans.muster@example.org;Bauamt;",
    )
    job = workspace_services.start_import(cohort=cohort, upload=upload, actor=trainer)
    # when the preview is confirmed
    with django_capture_on_commit_callbacks(execute=True):
        job = workspace_services.confirm_import(job=job, actor=trainer)
    # then everybody is enrolled, new accounts without a usable password
    assert job.status == WorkspaceJob.Status.DONE
    assert job.result["summary"] == {"enrolled": 3, "new_accounts": 2, "skipped": 0, "invited": 2}
    enrolled = Enrollment.objects.filter(cohort=cohort).select_related("user", "organisation_unit")
    assert sorted((e.user.email, e.organisation_unit.name) for e in enrolled) == [
        ("Hans.Muster@example.org", "Bauamt"),
        ("anna@example.org", "Einwohneramt"),
        ("beat@example.org", "Einwohneramt"),
    ]
    anna = User.objects.get(email="anna@example.org")
    assert (anna.username, anna.first_name, anna.has_usable_password()) == (
        "anna@example.org",
        "Anna",
        False,
    )
    assert existing.enrollments.get().cohort == cohort
    # and only the new people got a German invitation
    assert sorted(m.to[0] for m in mail.outbox) == ["anna@example.org", "beat@example.org"]
    assert "Passwort" in mail.outbox[0].body
    # and the uploaded file (personal data) is gone
    assert not job.upload


def test_importing_the_same_file_again_changes_nothing(cohort, trainer):
    rows = ["Anna;Muster;anna@example.org;Einwohneramt;", "Beat;Beispiel;beat@example.org;;"]
    first = workspace_services.start_import(cohort=cohort, upload=csv_file(*rows), actor=trainer)
    workspace_services.confirm_import(job=first, actor=trainer)
    before = state()

    second = workspace_services.start_import(cohort=cohort, upload=csv_file(*rows), actor=trainer)

    assert second.result["errors"] == 0
    assert second.result["to_import"] == 0
    assert second.result["skipped"] == 2
    with pytest.raises(Exception, match="kann nicht"):
        workspace_services.confirm_import(job=second, actor=trainer)
    assert state() == before


def test_the_import_is_all_or_nothing_when_data_changed_since_the_preview(
    cohort, trainer, other_cohort, lead
):
    # given a checked preview of three people
    upload = csv_file(
        "Anna;Muster;anna@example.org;;",
        "Beat;Beispiel;beat@example.org;;",
        "Carla;Chef;carla@example.org;;",
    )
    job = workspace_services.start_import(cohort=cohort, upload=upload, actor=trainer)
    # when one of them is enrolled in another cohort before the import runs
    training_services.enroll_participant(
        cohort=other_cohort, email="carla@example.org", first_name="C", last_name="C", actor=lead
    )
    before = state()
    job = workspace_services.confirm_import(job=job, actor=trainer)
    # then nothing at all is written, and the job says why
    assert job.status == WorkspaceJob.Status.FAILED
    assert (
        "Kann hier nicht eingeschrieben werden; bitte wenden Sie sich an die Kursleitung."
        in job.error
    )
    assert "Bauamt" not in job.error
    assert "Es wurde nichts importiert" in job.error
    assert state() == before
    assert not User.objects.filter(email="anna@example.org").exists()


def test_xlsx_files_with_english_headings_are_read(cohort, trainer):
    upload = xlsx_file(
        [
            ["First name", "Last name", "Email", "Unit"],
            ["Anna", "Muster", "anna@example.org", "Einwohneramt"],
            [None, None, None, None],
            ["Beat", "Beispiel", "BEAT@example.org", 42],
        ]
    )

    job = workspace_services.start_import(cohort=cohort, upload=upload, actor=trainer)

    rows = [(r["line"], r["email"], r["unit"], r["action"]) for r in job.result["rows"]]
    assert rows == [
        (2, "anna@example.org", "Einwohneramt", "create"),
        (4, "beat@example.org", "42", "create"),
    ]


def test_windows_csv_with_commas_is_read(cohort, trainer):
    upload = SimpleUploadedFile(
        "liste.csv", "Vorname,Nachname,E-Mail\nJürg,Müller,juerg@example.org\n".encode("cp1252")
    )

    job = workspace_services.start_import(cohort=cohort, upload=upload, actor=trainer)

    (row,) = job.result["rows"]
    assert (row["first_name"], row["last_name"], row["action"]) == ("Jürg", "Müller", "create")


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("liste.pdf", b"%PDF-1.4"), imports.IMPORT_FILE_TYPE),
        (SimpleUploadedFile("liste.xlsx", b"not a zip"), imports.IMPORT_FILE_UNREADABLE),
        (SimpleUploadedFile("liste.csv", b"Vorname;Nachname\nA;B\n"), None),
        (SimpleUploadedFile("liste.csv", HEADER.encode() + b"\n"), imports.IMPORT_FILE_EMPTY),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(cohort, trainer, upload, message):
    with pytest.raises(imports.ImportFileError) as refused:
        workspace_services.start_import(cohort=cohort, upload=upload, actor=trainer)

    expected = message or imports.IMPORT_COLUMN_MISSING % {"column": "E-Mail"}
    assert str(refused.value) == str(expected)
    assert WorkspaceJob.objects.count() == 0


def test_new_people_need_a_name(cohort, trainer):
    job = workspace_services.start_import(
        cohort=cohort, upload=csv_file(";;neu@example.org;;"), actor=trainer
    )

    assert problems(job) == {2: ["Vor- und Nachname sind für ein neues Konto nötig."]}


def test_a_formerly_unenrolled_person_is_skipped(cohort, trainer):
    (enrollment,) = enroll_many(cohort, 1)
    training_services.unenroll_participant(enrollment=enrollment, actor=trainer)

    job = workspace_services.start_import(
        cohort=cohort, upload=csv_file(f"A;B;{enrollment.user.email};;"), actor=trainer
    )

    (row,) = job.result["rows"]
    assert row["action"] == "skip"
    assert imports.row_message(row["notes"][0]).startswith("Wurde ausgetragen")


def test_rows_may_name_other_cohorts_of_the_same_trainer(cohort, trainer, course):
    second = make_cohort(course=course, trainers=[trainer], name="Zweite Gruppe")
    upload = csv_file("Anna;Muster;anna@example.org;;zweite gruppe")
    job = workspace_services.start_import(cohort=cohort, upload=upload, actor=trainer)

    workspace_services.confirm_import(job=job, actor=trainer)

    assert Enrollment.objects.get(user__email="anna@example.org").cohort == second


# --- Through the admin pages ------------------------------------------------------------------


def test_upload_preview_and_confirm_in_the_admin(trainer_client, cohort):
    # when the trainer uploads a file
    response = trainer_client.post(
        reverse("training_workspace:import", args=[cohort.pk]),
        {"file": csv_file("Anna;Muster;anna@example.org;;", "Ohne;Mail;;;")},
    )
    # then they see the preview with each row's problem
    job = WorkspaceJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("training_workspace:job", args=[job.pk])
    page = trainer_client.get(response["Location"]).content.decode()
    assert "E-Mail-Adresse fehlt." in page
    assert "jetzt einschreiben" not in page
    assert Enrollment.objects.count() == 0


def test_a_clean_upload_is_confirmed_in_the_admin(trainer_client, cohort):
    trainer_client.post(
        reverse("training_workspace:import", args=[cohort.pk]),
        {"file": csv_file("Anna;Muster;anna@example.org;;")},
    )
    job = WorkspaceJob.objects.get()
    assert (
        "1 Person jetzt einschreiben"
        in trainer_client.get(reverse("training_workspace:job", args=[job.pk])).content.decode()
    )

    response = trainer_client.post(reverse("training_workspace:job_confirm", args=[job.pk]))

    assert response.status_code == 302
    page = trainer_client.get(response["Location"]).content.decode()
    assert "Importiert: 1 Personen eingeschrieben" in page
    assert Enrollment.objects.get().user.email == "anna@example.org"


def test_an_unreadable_upload_shows_the_reason_on_the_form(trainer_client, cohort):
    response = trainer_client.post(
        reverse("training_workspace:import", args=[cohort.pk]),
        {"file": SimpleUploadedFile("liste.txt", b"hallo")},
    )

    assert response.status_code == 400
    assert str(imports.IMPORT_FILE_TYPE) in response.content.decode()
