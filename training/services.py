"""All writes to per-person learning state. Each function runs in one transaction."""

from django.db import transaction

from training.models import Cohort, Enrollment


@transaction.atomic
def enroll(*, user, cohort: Cohort) -> Enrollment:
    """Enrolls the user in the cohort's course. Idempotent: an existing enrollment is returned."""
    enrollment, _ = Enrollment.objects.get_or_create(
        user=user, course_id=cohort.course_id, defaults={"cohort": cohort}
    )
    return enrollment
