import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone
from wagtail.users.models import UserProfile

from audit.models import AuditAction
from audit.services import record_audit
from cms.models import ModulePage
from tests.factories import TOTPDeviceFactory, UserFactory
from training.models import Cohort, ModuleProgress, Quiz, Sitting
from training.services import enroll

PERSON = {
    "username": "xquellenbrunner",
    "first_name": "Xaveria",
    "last_name": "Quellenbrunner",
    "email": "xaveria.quellenbrunner@example.org",
}
ESSAY = "Als Xaveria Quellenbrunner erkläre ich am Schalter in Zwiesel-Nord ..."


@pytest.fixture
def person(demo, client):
    """A participant with everything the site keeps about a person: enrollment, progress, a
    sitting with a free-text answer, a second factor, a failed login, a trainer's audit entry
    and Wagtail's user profile."""
    user = UserFactory(**PERSON)
    cohort = Cohort.objects.get()
    enrollment = enroll(user=user, cohort=cohort)
    module = ModulePage.objects.live().order_by("path").first()
    ModuleProgress.objects.create(
        enrollment=enrollment, module=module, content_done_at=timezone.now()
    )
    quiz = Quiz.objects.order_by("pk").first()
    Sitting.objects.create(
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
    TOTPDeviceFactory(user=user, name="Handy von Xaveria")
    client.post("/konto/anmelden/", {"username": PERSON["username"], "password": "falsch"})
    record_audit(
        actor=demo["trainer"],
        action=AuditAction.PARTICIPANT_VIEWED,
        target=user,
        details={"note": "Xaveria Quellenbrunner angesehen"},
    )
    UserProfile.get_for_user(user)
    return user


def certificate_register_tables() -> set[str]:
    """The certificate register keeps the name as issued (and no email)."""
    try:
        return {apps.get_model("certificates", "Certificate")._meta.db_table}
    except LookupError:
        return set()


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
