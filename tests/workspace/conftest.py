"""Fixtures of the trainer workspace tests: a small published course (3 sections × 4 modules),
a cohort with its trainer, a course lead, and helpers to log them in."""

import pytest

from tests.factories import (
    make_cohort,
    make_workspace_course,
    restore_migration_data,
    user_in_group,
)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Many accounts per test; the hash's strength is not what these tests are about.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Uploaded imports and export files go to a temporary directory, not var/media.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def migration_data(transactional_db):
    """For transactional tests: the data migrations' rows, even after an earlier test's flush.
    List it before the fixtures that need those rows."""
    restore_migration_data()


@pytest.fixture
def course(db):
    return make_workspace_course()


@pytest.fixture
def trainer(db):
    return user_in_group("Trainer:innen", username="trainerin", first_name="Regula")


@pytest.fixture
def other_trainer(db):
    return user_in_group("Trainer:innen", username="anderer-trainer")


@pytest.fixture
def lead(db):
    return user_in_group("Kursleitung", username="kursleitung")


@pytest.fixture
def cohort(course, trainer):
    return make_cohort(course=course, trainers=[trainer])


@pytest.fixture
def other_cohort(course, other_trainer):
    return make_cohort(course=course, trainers=[other_trainer], name="Bauamt 2027")


@pytest.fixture
def trainer_client(client, trainer):
    client.force_login(trainer)
    return client
