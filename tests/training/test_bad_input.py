"""No input to the quiz or the trainer forms answers with a 5xx or leaves half-written rows:
essay points that do not fit, ids in URLs, any answer post, any list filter (hypothesis)."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from tests.accounts.test_bad_input import LOOSE, TEXT, no_server_error
from tests.factories import UserFactory, essay, single_choice
from tests.training.conftest import start, take_quiz
from training import errors, services
from training.models import EssayMark, Sitting


@pytest.fixture
def trainer(db):
    user = UserFactory(username="trainerin")
    user.groups.add(Group.objects.get(name="Trainer:innen"))
    return user


@pytest.fixture
def pending(build_world, client, trainer):
    """A finished attempt with an unmarked essay (4 points), the trainer of its cohort."""
    world = build_world(questions=[single_choice("s1"), essay("e1")], pass_mark=60)
    world.enrollment.cohort.trainers.add(trainer)
    client.force_login(world.participant)
    services.mark_module_read(user=world.participant, module_id=world.module.pk)
    sitting = take_quiz(client, world.module, correct=True)
    assert sitting.needs_marking
    return world, sitting


@pytest.mark.django_db
@pytest.mark.parametrize("sitting_id", ["9" * 30, "18446744073709551616", "0"])
def test_ids_in_urls_that_do_not_fit_answer_404(client, sitting_id):
    client.force_login(UserFactory())
    assert client.get(f"/lernen/versuche/{sitting_id}/").status_code == 404
    assert client.post(f"/lernen/module/{sitting_id}/gelesen/").status_code in (403, 404)


# --- Quiz answers ---------------------------------------------------------------------------


@LOOSE
@given(question=TEXT, token=TEXT, values=st.lists(TEXT, max_size=3), feedback=TEXT)
def test_quiz_answers_take_any_input_without_a_server_error(
    build_world, question, token, values, feedback
):
    # given a participant with an open attempt (one per example: a fresh world each time is
    # too slow, so the attempt is reused while it stays open)
    world = _quiz_world(build_world)
    client = Client()
    client.force_login(world.participant)
    sitting = Sitting.objects.filter(enrollment=world.enrollment, complete=False).first()
    if sitting is None:
        sitting = start(client, world.module)
    url = reverse("training:sitting", args=[sitting.pk])
    # when anything is posted as an answer, or as a query parameter
    response = client.post(url, {"question": question, "token": token, "answer": values})
    # then no server error
    no_server_error(response)
    no_server_error(client.get(url, {"rueckmeldung": feedback}))


_WORLDS = {}


def _quiz_world(build_world):
    from training.models import Enrollment

    world = _WORLDS.get("quiz")
    if world is None or not Enrollment.objects.filter(pk=world.enrollment.pk).exists():
        world = build_world(questions=[single_choice("s1"), essay("e1")])
        _WORLDS["quiz"] = world
    return world


# --- Trainer forms --------------------------------------------------------------------------


@pytest.mark.parametrize("points", ["1e309", "9" * 10_000, "1" + "0" * 30, "-1e309"])
def test_essay_points_that_do_not_fit_are_refused_with_a_german_message(pending, trainer, points):
    # given a trainer on the marking page of an attempt
    world, sitting = pending
    client = Client()
    client.force_login(trainer)
    # when points far beyond any number are entered
    response = client.post(
        reverse("training_marking:sitting", args=[sitting.pk]),
        {"block_id": "e1", "points": points, "feedback": ""},
    )
    # then the page comes back with the German message (400) and nothing is written
    assert response.status_code == 400
    assert str(errors.POINTS_INVALID) in response.content.decode()
    assert not EssayMark.objects.exists()
    assert Sitting.objects.get(pk=sitting.pk).needs_marking is True


@LOOSE
@given(points=TEXT, block_id=TEXT, feedback=TEXT)
def test_the_marking_form_answers_any_input_without_a_server_error_or_half_written_rows(
    pending, trainer, points, block_id, feedback
):
    _, sitting = pending
    client = Client()
    client.force_login(trainer)
    marks_before = EssayMark.objects.count()
    response = client.post(
        reverse("training_marking:sitting", args=[sitting.pk]),
        {"block_id": block_id, "points": points, "feedback": feedback},
    )
    no_server_error(response)
    if response.status_code != 302:  # refused: no mark, the attempt unchanged
        assert EssayMark.objects.count() == marks_before


def test_a_nul_character_in_a_filter_is_refused_with_the_400_page(pending, trainer):
    # given a trainer on a list with a search field
    world, _ = pending
    client = Client()
    client.force_login(trainer)
    url = reverse("training_workspace:participants", args=[world.enrollment.cohort.pk])
    # when the search holds a NUL character (PostgreSQL cannot compare it: a 500 before)
    response = client.get(url, {"q": "Meier\x00"})
    # then the German 400 page answers
    assert response.status_code == 400
    assert "Anfrage nicht verarbeitet" in response.content.decode()


@LOOSE
@given(query=TEXT, page=TEXT, quiz=TEXT)
def test_trainer_lists_take_any_query_parameter_without_a_server_error(
    pending, trainer, query, page, quiz
):
    world, _ = pending
    client = Client()
    client.force_login(trainer)
    cohort = world.enrollment.cohort
    params = {"q": query, "p": page, "quiz": quiz, "sort": query, "status": page}
    for url in (
        reverse("training_marking:queue"),
        reverse("training_workspace:participants", args=[cohort.pk]),
        reverse("training_workspace:report", args=[cohort.pk]),
    ):
        no_server_error(client.get(url, params))


@LOOSE
@given(email=TEXT, first_name=TEXT, last_name=TEXT, unit=TEXT)
def test_the_enrollment_form_answers_any_input_without_a_server_error_or_half_written_rows(
    pending, email, first_name, last_name, unit
):
    from training.models import Enrollment, OrganisationUnit

    world, _ = pending
    client = Client()
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    before = (Enrollment.objects.count(), OrganisationUnit.objects.count())
    response = client.post(
        reverse("training_workspace:enroll", args=[world.enrollment.cohort.pk]),
        {"email": email, "first_name": first_name, "last_name": last_name, "unit": unit},
    )
    no_server_error(response)
    if response.status_code != 302:  # refused: no enrollment, no unit
        assert (Enrollment.objects.count(), OrganisationUnit.objects.count()) == before


@LOOSE
@given(cells=st.lists(st.lists(TEXT, min_size=1, max_size=6), min_size=1, max_size=4))
def test_the_import_answers_any_file_without_a_server_error(pending, cells):
    import csv
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile

    world, _ = pending
    client = Client()
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["Vorname", "Nachname", "E-Mail", "Organisationseinheit"])
    writer.writerows(cells)
    upload = SimpleUploadedFile(
        "liste.csv", buffer.getvalue().encode("utf-8", "surrogatepass"), "text/csv"
    )
    response = client.post(
        reverse("training_workspace:import", args=[world.enrollment.cohort.pk]), {"file": upload}
    )
    no_server_error(response)
