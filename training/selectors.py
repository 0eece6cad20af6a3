"""Read-side queries of participants' learning state."""

from training.models import Enrollment


def dashboard_for(user) -> dict:
    enrollments = list(Enrollment.objects.filter(user=user).select_related("cohort"))
    return {"enrollments": enrollments}
