"""Mailing invitations to enrolled people who have not set a password yet (the link and mail
text are accounts.invitations'), each recorded in the enrollment's history. Run by the task
training.tasks.send_invitations."""

from accounts.invitations import send_invitation_email
from training.models import Enrollment, EnrollmentEvent


def send_invitations(*, enrollment_ids: list[int], actor_id: int | None = None) -> int:
    """Mails an invitation to each still-invited, enrolled person; records each as an event.

    Safe to repeat: people who set their password meanwhile are skipped.
    """
    sent = 0
    for enrollment in Enrollment.objects.filter(
        pk__in=enrollment_ids, unenrolled_at__isnull=True
    ).select_related("user", "cohort", "course"):
        if enrollment.user.has_usable_password() or not enrollment.user.email:
            continue
        send_invitation_email(enrollment=enrollment)
        EnrollmentEvent.objects.create(
            enrollment=enrollment, action=EnrollmentEvent.Action.INVITED, actor_id=actor_id
        )
        sent += 1
    return sent
