from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certificates.selectors import CertificateState
from tests.factories import (
    course_module_ids,
    enroll_many,
    make_sitting,
    make_workspace_quiz,
    user_in_group,
)
from training.models import Enrollment, ModuleProgress, OrganisationUnit
from workspace.report import CellStatus, cohort_report


def _progress(enrollment, module_id, **fields):
    """Progress as of the given moments (started when the first of them happened)."""
    progress = ModuleProgress.objects.create(enrollment=enrollment, module_id=module_id, **fields)
    moments = [v for v in fields.values() if v]
    if moments:
        ModuleProgress.objects.filter(pk=progress.pk).update(started_at=min(moments))
    return progress


def test_each_cell_shows_the_modules_state(cohort, course):
    # given one participant in five different states across five modules
    (enrollment,) = enroll_many(cohort, 1)
    m = course_module_ids(course)
    now = timezone.now()
    _progress(enrollment, m[0], content_done_at=now, quiz_passed_at=now, completed_at=now)
    _progress(enrollment, m[1], content_done_at=now)
    _progress(enrollment, m[2], content_done_at=now)
    make_sitting(enrollment=enrollment, module_id=m[2], quiz=make_workspace_quiz(), passed=False)
    make_sitting(
        enrollment=enrollment, module_id=m[3], quiz=make_workspace_quiz(), needs_marking=True
    )
    # when the report is built
    report = cohort_report(cohort=cohort)
    # then every module shows its state
    (row,) = report.rows
    assert [row.statuses[i] for i in m[:5]] == [
        CellStatus.COMPLETE,
        CellStatus.IN_PROGRESS,
        CellStatus.QUIZ_FAILED,
        CellStatus.ESSAY_PENDING,
        CellStatus.NOT_STARTED,
    ]


def test_a_failed_attempt_no_longer_counts_once_the_quiz_is_passed(cohort, course):
    (enrollment,) = enroll_many(cohort, 1)
    module = course_module_ids(course)[0]
    quiz = make_workspace_quiz()
    _progress(enrollment, module, quiz_passed_at=timezone.now())
    make_sitting(enrollment=enrollment, module_id=module, quiz=quiz, passed=False)
    make_sitting(enrollment=enrollment, module_id=module, quiz=quiz, attempt=2, passed=True)

    (row,) = cohort_report(cohort=cohort).rows

    assert row.statuses[module] == CellStatus.IN_PROGRESS


def test_progress_per_section_overall_and_last_activity(cohort, course):
    # given a participant who completed 2 of 4 modules of the first section and 1 of the second
    (enrollment,) = enroll_many(cohort, 1)
    m = course_module_ids(course)
    latest = timezone.now()
    earlier = latest - timezone.timedelta(days=2)
    for module, moment in ((m[0], earlier), (m[1], earlier), (m[4], latest)):
        _progress(enrollment, module, content_done_at=moment, completed_at=moment)
    # when
    report = cohort_report(cohort=cohort)
    # then
    (row,) = report.rows
    sections = [s.id for s in report.sections]
    assert [row.section_percent[s] for s in sections] == [50, 25, 0]
    assert row.overall_percent == 25  # 3 of 12
    assert row.completed_modules == 3
    assert row.last_activity == latest


def test_unenrolled_participants_are_not_in_the_report(cohort):
    first, second = enroll_many(cohort, 2)
    second.unenrolled_at = timezone.now()
    second.save()

    report = cohort_report(cohort=cohort)

    assert [r.enrollment_id for r in report.rows] == [first.pk]


def test_filters_by_section_status_and_unit(cohort, course):
    # given two units and one participant with a failed quiz in the second section
    unit_a = OrganisationUnit.objects.create(organisation=cohort.organisation, name="Einwohneramt")
    unit_b = OrganisationUnit.objects.create(organisation=cohort.organisation, name="Bauamt")
    a1, a2 = enroll_many(cohort, 2, unit=unit_a)
    (b1,) = enroll_many(cohort, 1, unit=unit_b)
    m = course_module_ids(course)
    make_sitting(enrollment=a2, module_id=m[5], quiz=make_workspace_quiz(), passed=False)
    sections = cohort_report(cohort=cohort).sections
    # when / then: unit filter
    by_unit = cohort_report(cohort=cohort, unit_id=unit_b.pk)
    assert [r.enrollment_id for r in by_unit.rows] == [b1.pk]
    # status filter over all modules
    failed = cohort_report(cohort=cohort, status=CellStatus.QUIZ_FAILED)
    assert [r.enrollment_id for r in failed.rows] == [a2.pk]
    assert failed.participants == 3
    # status filter within a section that has no failed quiz
    first_section = cohort_report(
        cohort=cohort, section_id=sections[0].id, status=CellStatus.QUIZ_FAILED
    )
    assert first_section.rows == []
    assert [m.id for m in first_section.visible_modules] == m[:4]


def test_sorts_by_any_column_both_ways(cohort, course):
    people = enroll_many(cohort, 3)
    m = course_module_ids(course)
    now = timezone.now()
    hour_ago = now - timezone.timedelta(hours=1)
    # the last person has most progress (and the latest activity), the first none
    for module in m[:2]:
        _progress(people[2], module, content_done_at=now, completed_at=now)
    _progress(people[1], m[0], content_done_at=hour_ago, completed_at=hour_ago)
    _progress(people[1], m[1], content_done_at=hour_ago)
    ids = [p.pk for p in people]

    def order(sort):
        return [r.enrollment_id for r in cohort_report(cohort=cohort, sort=sort).rows]

    assert order("name") == ids
    assert order("-name") == ids[::-1]
    assert order("-progress") == [ids[2], ids[1], ids[0]]
    assert order(f"module-{m[1]}") == [ids[0], ids[1], ids[2]]  # not started < in progress < done
    assert order("-activity") == [ids[2], ids[1], ids[0]]
    assert order("activity") == [ids[0], ids[1], ids[2]]
    section = cohort_report(cohort=cohort).sections[0].id
    assert order(f"-section-{section}") == [ids[2], ids[1], ids[0]]


def test_certificate_state_comes_from_the_certificate_register(cohort, course):
    from certificates.services import issue_certificate, revoke_certificate

    # given one participant without a certificate and one who completed the course
    waiting, done = enroll_many(cohort, 2)
    now = timezone.now()
    for module_id in course_module_ids(course):
        ModuleProgress.objects.create(
            enrollment=done, module_id=module_id, content_done_at=now, completed_at=now
        )
    Enrollment.objects.filter(pk=done.pk).update(completed_at=now)
    certificate = issue_certificate(enrollment_id=done.pk).certificate

    # then the report shows "none" and "issued"
    states = {row.enrollment_id: row.certificate for row in cohort_report(cohort=cohort).rows}
    assert states == {waiting.pk: CertificateState.NONE, done.pk: CertificateState.ISSUED}

    # and after a revocation, "revoked"
    lead = user_in_group("Kursleitung", username="leitung")
    revoke_certificate(certificate_id=certificate.pk, reason="Fehler", revoked_by=lead)
    rows = {row.enrollment_id: row for row in cohort_report(cohort=cohort).rows}
    assert rows[done.pk].certificate == CertificateState.REVOKED
    assert rows[done.pk].certificate_label == "widerrufen"


def _report_queries(client, cohort):
    url = reverse("training_workspace:report", args=[cohort.pk])
    client.get(url)  # warm per-process caches (content types, permissions, site)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url + "?sort=-progress")
    assert response.status_code == 200
    return len(queries)


def test_report_page_runs_a_fixed_number_of_queries_for_200_participants_and_12_modules(
    cohort, course, trainer_client, django_assert_max_num_queries
):
    # given 10 participants with some progress and sittings
    m = course_module_ids(course)
    assert len(m) == 12
    quiz = make_workspace_quiz()
    small = enroll_many(cohort, 10)
    for e in small:
        _progress(e, m[0], content_done_at=timezone.now())
        make_sitting(enrollment=e, module_id=m[1], quiz=quiz, passed=False)
    queries_for_10 = _report_queries(trainer_client, cohort)
    # when the cohort grows to 200 participants with progress in every module
    more = enroll_many(cohort, 190)
    ModuleProgress.objects.bulk_create(
        ModuleProgress(enrollment=e, module_id=module, content_done_at=timezone.now())
        for e in more
        for module in m
    )
    # then the page needs exactly as many queries, and few
    assert _report_queries(trainer_client, cohort) == queries_for_10
    url = reverse("training_workspace:report", args=[cohort.pk])
    with django_assert_max_num_queries(25):
        response = trainer_client.get(url)
    assert response.context["page_obj"].paginator.count == 200
    assert len(response.context["page_obj"].object_list) == 50


def test_report_page_shows_matrix_chart_and_table(cohort, course, trainer_client):
    people = enroll_many(cohort, 2)
    m = course_module_ids(course)
    now = timezone.now()
    _progress(people[0], m[0], content_done_at=now, completed_at=now)

    response = trainer_client.get(reverse("training_workspace:report", args=[cohort.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Nachname0000, Vorname0000" in html
    assert "<svg" in html and 'role="img"' in html
    assert "Verteilung des Fortschritts je Lernbereich (Anzahl Teilnehmende)" in html
    chart = response.context["chart"]
    assert [row["counts"] for row in chart["rows"]] == [[1, 1, 0, 0], [2, 0, 0, 0], [2, 0, 0, 0]]
    assert "<script" not in html.split('class="ws-chart"')[1].split("</section>")[0]


def test_report_page_paginates_and_keeps_filters(cohort, trainer_client):
    enroll_many(cohort, 60)
    url = reverse("training_workspace:report", args=[cohort.pk])

    response = trainer_client.get(url + "?sort=-name&p=2")

    rows = response.context["page_obj"].object_list
    assert len(rows) == 10
    assert rows[0].last_name == "Nachname0009"
    assert "sort=-name" in response.content.decode().split('class="pagination"')[1]


def test_module_columns_carry_short_titles_with_the_full_title_for_hover_and_screen_readers(
    cohort, course, trainer_client
):
    # given a module with a short title and one with a long title but none
    from cms.models import ModulePage

    first, second = (ModulePage.objects.get(pk=pk) for pk in course_module_ids(course)[:2])
    first.title, first.short_title = (
        "Datenschutz und Informationssicherheit am Schalter",
        "Datenschutz",
    )
    second.title = "Warum die Verwaltung digital wird"
    first.save()
    second.save()
    enroll_many(cohort, 1)
    # when the trainer opens the report
    html = trainer_client.get(
        reverse("training_workspace:report", args=[cohort.pk])
    ).content.decode()
    # then the headings read as the short title, the full one on hover and for screen readers
    assert (
        'title="Datenschutz und Informationssicherheit am Schalter">'
        '<span aria-hidden="true">Datenschutz</span>'
        '<span class="w-sr-only">Modul: Datenschutz und Informationssicherheit am Schalter</span>'
    ) in html
    assert '<span aria-hidden="true">Warum die Verwaltung…</span>' in html
    # and no heading is a bare number any more
    assert '<span aria-hidden="true">3</span>' not in html
    assert '<span aria-hidden="true">Modul 1.3</span>' in html
