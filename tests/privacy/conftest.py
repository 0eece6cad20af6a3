import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from wagtail.users.models import UserProfile

from audit.models import AuditAction
from audit.services import record_audit
from certificates import services as certificate_services
from certificates.models import Certificate
from cms.models import ModulePage
from tests import factories
from tests.certificates.conftest import new_private_key_b64
from tests.factories import TOTPDeviceFactory, UserFactory
from training.models import Cohort, Enrollment, EssayMark, Quiz, Sitting
from workspace import services as workspace_services
from workspace.models import WorkspaceJob

PERSON = {
    "username": "xquellenbrunner",
    "first_name": "Xaveria",
    "last_name": "Quellenbrunner",
    "email": "xaveria.quellenbrunner@example.org",
}
HOLDER_NAME = "Xaveria Quellenbrunner"
ESSAY = "Als Xaveria Quellenbrunner erkläre ich am Schalter in Zwiesel-Nord ..."
FEEDBACK = "Gut begründet, Frau Quellenbrunner; das Beispiel aus Zwiesel-Nord überzeugt."
IMPORT_HEADER = "Vorname;Nachname;E-Mail;Organisationseinheit;Kursdurchführung"


@pytest.fixture(autouse=True)
def _files_and_signing_key(settings, tmp_path):
    """Uploads, exports and certificate PDFs go to a directory of the test's own; certificates
    are signed with a key of its own."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CERTIFICATE_SIGNING_KEY = new_private_key_b64()


def participant_list(*lines: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("teilnehmende.csv", "\n".join([IMPORT_HEADER, *lines]).encode())


def import_participants(*, cohort, actor, lines) -> WorkspaceJob:
    """A trainer's import of a participant list, previewed and confirmed (run at once)."""
    job = workspace_services.start_import(
        cohort=cohort, upload=participant_list(*lines), actor=actor
    )
    job = workspace_services.confirm_import(job=job, actor=actor)
    assert job.status == WorkspaceJob.Status.DONE, job.error
    return job


def complete_course(enrollment: Enrollment) -> None:
    """Every live module read and passed, completed through training's service (which completes
    the enrollment)."""
    factories.complete_course(enrollment)
    enrollment.refresh_from_db()
    assert enrollment.completed_at is not None


def issue_certificate(enrollment: Enrollment) -> Certificate:
    """The certificate of a completed course, issued synchronously by the issuing service (the
    task that would do it runs only after a commit)."""
    complete_course(enrollment)
    result = certificate_services.issue_certificate(enrollment_id=enrollment.pk)
    assert result.created
    return result.certificate


@pytest.fixture
def person(demo, client):
    """A participant with everything the site keeps about a person: enrolled by a trainer's
    import (the job lists them; an enrollment event), progress through the whole course, a
    sitting with a free-text answer and the trainer's feedback on it, an issued certificate, a
    second factor, a failed login, a trainer's audit entry and Wagtail's user profile."""
    user = UserFactory(**PERSON)
    cohort = Cohort.objects.get()
    trainer = demo["trainer"]
    import_participants(
        cohort=cohort,
        actor=trainer,
        lines=[f"{PERSON['first_name']};{PERSON['last_name']};{PERSON['email']};Einwohneramt;"],
    )
    enrollment = Enrollment.objects.get(user=user)
    module = ModulePage.objects.live().order_by("path").first()
    quiz = Quiz.objects.order_by("pk").first()
    sitting = Sitting.objects.create(
        user=user,
        quiz=quiz,
        quiz_revision=quiz.latest_revision,
        enrollment=enrollment,
        module=module,
        answers={"essay-1": ESSAY},
        score=3,
        max_score=4,
        passed=True,
        complete=True,
        finished_at=timezone.now(),
    )
    EssayMark.objects.create(
        sitting=sitting,
        block_id="essay-1",
        new_points=3,
        feedback=FEEDBACK,
        marked_by=trainer,
        marked_by_name=trainer.get_full_name(),
    )
    issue_certificate(enrollment)
    TOTPDeviceFactory(user=user, name="Handy von Xaveria")
    client.post("/konto/anmelden/", {"username": PERSON["username"], "password": "falsch"})
    record_audit(
        actor=trainer,
        action=AuditAction.PARTICIPANT_VIEWED,
        target=user,
        details={"note": "Xaveria Quellenbrunner angesehen"},
    )
    UserProfile.get_for_user(user)
    return user


def certificate_register_tables() -> set[str]:
    """The certificate register keeps the name as issued (and no email)."""
    return {Certificate._meta.db_table}


def tables_containing(needle: str, *, exclude: set[str] = frozenset()) -> list[str]:
    """Every table of the database (Django's and any other) with a row whose text contains
    ``needle``, case-insensitively. PostgreSQL: a row cast to text holds all its columns."""
    hits = []
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            if table in exclude:
                continue
            cursor.execute(
                f'SELECT count(*) FROM "{table}" AS row WHERE row::text ILIKE %s',  # noqa: S608
                [f"%{needle}%"],
            )
            if cursor.fetchone()[0]:
                hits.append(table)
    return hits
