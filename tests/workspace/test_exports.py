"""Exports of the cohort report and participant list: CSV streams, XLSX via a temp file,
formula injection neutralised."""

import csv
import io

from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.factories import course_module_ids, enroll_many
from training import services as training_services
from training.models import ModuleProgress, OrganisationUnit
from workspace import exports
from workspace import services as workspace_services
from workspace.models import WorkspaceJob


def read_csv(response):
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def read_xlsx(content: bytes):
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_neutralise_prefixes_formula_starters_only():
    assert [exports.neutralise(v) for v in ["=1+1", "+41 79", "-x", "@SUM(A1)", "\tx", "Anna"]] == [
        "'=1+1",
        "'+41 79",
        "'-x",
        "'@SUM(A1)",
        "'\tx",
        "Anna",
    ]
    assert exports.neutralise(-5) == -5


def test_report_csv_has_a_row_per_participant_with_statuses(trainer_client, cohort, course):
    # given one participant who completed the first module
    first, _second = enroll_many(cohort, 2)
    m = course_module_ids(course)
    now = timezone.now()
    ModuleProgress.objects.create(enrollment=first, module_id=m[0], completed_at=now)
    # when
    response = trainer_client.get(
        reverse("training_workspace:report_export", args=[cohort.pk, "csv"])
    )
    # then
    rows = read_csv(response)
    assert response["Content-Disposition"].startswith('attachment; filename="bericht-')
    assert rows[0][:5] == [
        "Nachname",
        "Vorname",
        "E-Mail",
        "Organisationseinheit",
        "Fortschritt gesamt (%)",
    ]
    assert rows[0][5:8] == ["Lernbereich 1 (%)", "Lernbereich 2 (%)", "Lernbereich 3 (%)"]
    assert rows[0][8] == "1. Modul 1.1"
    assert rows[0][-2:] == ["Letzte Aktivität", "Zertifikat"]
    assert len(rows) == 3
    assert rows[1][:9] == [
        "Nachname0000",
        "Vorname0000",
        first.user.email,
        "",
        "8",
        "25",
        "0",
        "0",
        "abgeschlossen",
    ]
    assert rows[1][9] == "nicht begonnen"
    assert rows[1][-2] == f"{timezone.localtime(now):%d.%m.%Y %H:%M}"
    assert rows[1][-1] == "noch keines"


def test_report_export_honours_section_and_unit_filters(trainer_client, cohort):
    unit = OrganisationUnit.objects.create(organisation=cohort.organisation, name="Bauamt")
    enroll_many(cohort, 2)
    (in_unit,) = enroll_many(cohort, 1, unit=unit)
    section_id = cohort.course.get_children().first().pk

    response = trainer_client.get(
        reverse("training_workspace:report_export", args=[cohort.pk, "csv"]),
        {"section": section_id, "unit": unit.pk},
    )

    rows = read_csv(response)
    assert len(rows) == 2
    assert rows[1][2] == in_unit.user.email
    assert len(rows[0]) == 5 + 1 + 4 + 2  # one section, its four modules


def test_formulas_in_names_are_neutralised_in_csv_and_xlsx(trainer_client, cohort):
    (enrollment,) = enroll_many(cohort, 1)
    user = enrollment.user
    user.first_name, user.last_name = '=HYPERLINK("http://x")', "@Böse"
    user.save()

    csv_rows = read_csv(
        trainer_client.get(
            reverse("training_workspace:participants_export", args=[cohort.pk, "csv"])
        )
    )
    xlsx = trainer_client.post(
        reverse("training_workspace:participants_export", args=[cohort.pk, "xlsx"])
    )
    xlsx_rows = read_xlsx(b"".join(xlsx.streaming_content))

    assert csv_rows[1][:2] == ["'@Böse", '\'=HYPERLINK("http://x")']
    assert xlsx_rows[1][:2] == ["'@Böse", '\'=HYPERLINK("http://x")']
    assert xlsx["Content-Type"] == exports.XLSX_CONTENT_TYPE


def test_participant_list_export_includes_unenrolled_people(trainer_client, cohort, trainer):
    active, gone = enroll_many(cohort, 2)
    training_services.unenroll_participant(enrollment=gone, actor=trainer)

    response = trainer_client.post(
        reverse("training_workspace:participants_export", args=[cohort.pk, "xlsx"])
    )

    rows = read_xlsx(b"".join(response.streaming_content))
    assert rows[0] == [
        "Nachname",
        "Vorname",
        "E-Mail",
        "Organisationseinheit",
        "Eingeschrieben am",
        "Status",
        "Ausgetragen am",
        "Passwort gesetzt",
        "Kurs abgeschlossen am",
    ]
    assert [(r[2], r[5], r[7]) for r in rows[1:]] == [
        (active.user.email, "aktiv", "ja"),
        (gone.user.email, "ausgetragen", "ja"),
    ]
    assert rows[2][6] is not None  # unenrolled at, as a spreadsheet date


def test_report_rows_stream_in_chunks(cohort):
    enroll_many(cohort, 7)

    table = exports.report_table(cohort=cohort)
    rows = list(exports.stream_csv(table))

    assert len(rows) == 8
    assert table.total == 7


def test_a_large_xlsx_export_becomes_a_job(trainer_client, cohort, monkeypatch):
    # given a cohort larger than what is exported within the request
    enroll_many(cohort, 3)
    monkeypatch.setattr(workspace_services, "INLINE_MAX_ROWS", 2)
    # when
    response = trainer_client.post(
        reverse("training_workspace:report_export", args=[cohort.pk, "xlsx"]), {"sort": "name"}
    )
    # then the trainer is sent to the job's page (the task is queued after commit)
    job = WorkspaceJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("training_workspace:job", args=[job.pk])
    assert job.kind == WorkspaceJob.Kind.REPORT_EXPORT
    assert job.params == {"section": None, "status": None, "unit": None}
