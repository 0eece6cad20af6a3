"""Enrolling and unenrolling one person; invitations with a one-time set-password link."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts import invitations
from audit.models import AuditAction, AuditEntry
from tests.factories import UserFactory, course_module_ids, enroll_many
from training import services as training_services
from training.models import Enrollment, EnrollmentEvent, ModuleProgress

User = get_user_model()


def test_enrolling_a_new_person_creates_an_invited_account(
    cohort, trainer, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = training_services.enroll_participant(
            cohort=cohort,
            email=" Anna.Muster@Example.org ",
            first_name="Anna",
            last_name="Muster",
            unit_name="Einwohneramt",
            actor=trainer,
        )
    # then
    user = enrollment.user
    assert (user.username, user.email, user.has_usable_password()) == (
        "anna.muster@example.org",
        "anna.muster@example.org",
        False,
    )
    assert enrollment.organisation_unit.name == "Einwohneramt"
    assert enrollment.organisation_unit.organisation == cohort.organisation
    assert [(e.action, e.actor) for e in enrollment.events.all()] == [
        ("enrolled", trainer),
        ("invited", trainer),
    ]
    (message,) = mail.outbox
    assert message.to == ["anna.muster@example.org"]
    assert message.subject == "Ihre Einladung zur Bürgerservice-Akademie"
    assert "Guten Tag Anna Muster" in message.body
    assert "/konto/einladung/" in message.body


def test_enrolling_someone_already_enrolled_is_refused(cohort, trainer):
    (enrollment,) = enroll_many(cohort, 1)

    with pytest.raises(ValidationError) as same:
        training_services.enroll_participant(
            cohort=cohort, email=enrollment.user.email, actor=trainer
        )

    assert same.value.messages == [str(training_services.ENROLL_ALREADY_ENROLLED)]
    assert Enrollment.objects.count() == 1


def test_enrolling_someone_of_another_cohort_changes_nothing_and_goes_to_the_course_lead(
    cohort, other_cohort, other_trainer
):
    # given a person enrolled in the trainer's cohort
    (enrollment,) = enroll_many(cohort, 1)
    # when the trainer of another cohort enrolls the same address
    result = training_services.enroll_participant(
        cohort=other_cohort, email=enrollment.user.email, actor=other_trainer
    )
    # then nothing is raised or returned that names the account or its cohort
    assert result is None
    # and the person stays where they are
    enrollment.refresh_from_db()
    assert enrollment.cohort == cohort
    assert Enrollment.objects.count() == 1
    # and the Kursleitung finds the conflict in the audit log
    (entry,) = AuditEntry.objects.filter(action=AuditAction.ENROLLMENT_CONFLICT)
    assert (entry.actor, entry.subject) == (other_trainer, enrollment.user)
    assert entry.details == {
        "requested_cohort_id": other_cohort.pk,
        "enrolled_cohort_id": cohort.pk,
    }


@pytest.mark.parametrize("case", ["new address", "in another cohort"])
def test_the_enrolling_trainer_gets_the_same_answer_either_way(
    client, cohort, other_cohort, other_trainer, case, django_capture_on_commit_callbacks
):
    # given a person enrolled in another trainer's cohort (or an address nobody has)
    (enrollment,) = enroll_many(cohort, 1)
    enrollment.user.first_name, enrollment.user.last_name = "Geheim", "Person"
    enrollment.user.save()
    email = enrollment.user.email if case == "in another cohort" else "neu@example.org"
    client.force_login(other_trainer)
    # when the trainer enrolls the address with a name
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("training_workspace:enroll", args=[other_cohort.pk]),
            {"email": email, "first_name": "Erika", "last_name": "Neu", "unit": ""},
            follow=True,
        )
    # then the answer repeats what they typed and names neither the account nor its cohort
    html = response.content.decode()
    assert response.status_code == 200
    assert "Erika Neu ist eingeschrieben oder eingeladen." in html
    assert "Geheim" not in html
    assert cohort.name not in html


def test_a_new_account_needs_a_name_and_a_valid_email(cohort, trainer):
    with pytest.raises(ValidationError) as no_name:
        training_services.enroll_participant(cohort=cohort, email="a@example.org", actor=trainer)
    with pytest.raises(ValidationError) as bad_email:
        training_services.enroll_participant(
            cohort=cohort, email="kein-mail", first_name="A", last_name="B", actor=trainer
        )

    assert no_name.value.messages == [str(training_services.ENROLL_NAME_MISSING)]
    assert bad_email.value.messages == [str(training_services.ENROLL_EMAIL_INVALID)]
    assert User.objects.filter(email="a@example.org").count() == 0


def test_unenrolling_keeps_the_history_and_enrolling_again_restores_it(cohort, trainer, course):
    # given a participant with progress
    (enrollment,) = enroll_many(cohort, 1)
    module = course_module_ids(course)[0]
    ModuleProgress.objects.create(
        enrollment=enrollment, module_id=module, completed_at=timezone.now()
    )
    # when unenrolled
    training_services.unenroll_participant(enrollment=enrollment, actor=trainer)
    # then the enrollment and its progress are kept, marked as unenrolled
    enrollment.refresh_from_db()
    assert enrollment.unenrolled_at is not None
    assert enrollment.progress.count() == 1
    with pytest.raises(ValidationError) as twice:
        training_services.unenroll_participant(enrollment=enrollment, actor=trainer)
    assert twice.value.messages == [str(training_services.UNENROLL_ALREADY)]
    # when enrolled again
    again = training_services.enroll_participant(
        cohort=cohort, email=enrollment.user.email, actor=trainer
    )
    # then it is the same enrollment with its progress and the whole history
    assert again.pk == enrollment.pk
    assert again.unenrolled_at is None
    assert again.progress.count() == 1
    assert list(again.events.values_list("action", flat=True)) == ["unenrolled", "reenrolled"]


def test_unenroll_and_reenroll_through_the_admin(trainer_client, cohort):
    (enrollment,) = enroll_many(cohort, 1)
    unenroll = reverse("training_workspace:unenroll", args=[cohort.pk, enrollment.pk])

    confirm = trainer_client.get(unenroll)
    done = trainer_client.post(unenroll, follow=True)
    enrollment.refresh_from_db()
    assert confirm.status_code == 200
    assert "Ja, austragen" in confirm.content.decode()
    assert enrollment.unenrolled_at is not None
    assert "der bisherige Lernstand bleibt erhalten" in done.content.decode()

    trainer_client.post(
        reverse("training_workspace:enroll", args=[cohort.pk]), {"email": enrollment.user.email}
    )
    enrollment.refresh_from_db()
    assert enrollment.unenrolled_at is None


def test_enroll_form_errors_are_shown(trainer_client, cohort):
    response = trainer_client.post(
        reverse("training_workspace:enroll", args=[cohort.pk]), {"email": "neu@example.org"}
    )

    assert response.status_code == 400
    assert str(training_services.ENROLL_NAME_MISSING) in response.content.decode()
    assert not Enrollment.objects.exists()


# --- Invitations ------------------------------------------------------------------------------


def invited(cohort, trainer, capture):
    with capture(execute=True):
        enrollment = training_services.enroll_participant(
            cohort=cohort,
            email="neu@example.org",
            first_name="Neu",
            last_name="Person",
            actor=trainer,
        )
    link = re.search(r"http\S+/konto/einladung/\S+/", mail.outbox[-1].body).group(0)
    return enrollment, link.split("127.0.0.1:8000", 1)[-1]


def test_the_invitation_link_sets_the_password_once_and_signs_in(
    client, cohort, trainer, django_capture_on_commit_callbacks
):
    # given an invitation
    enrollment, path = invited(cohort, trainer, django_capture_on_commit_callbacks)
    # when the person follows the link and sets a password
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    assert "Passwort festlegen" in form_page.content.decode()
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Schalter-Dienst-2027", "new_password2": "Schalter-Dienst-2027"},
    )
    # then they are signed in and land on their dashboard
    assert response.status_code == 302
    assert response["Location"] == reverse("training:dashboard")
    user = User.objects.get(pk=enrollment.user_id)
    assert user.check_password("Schalter-Dienst-2027")
    # and the link does not work a second time
    client.logout()
    again = client.get(path, follow=True)
    assert "Dieser Link gilt nicht mehr." in again.content.decode()


def test_the_invitation_link_expires(
    client, cohort, trainer, django_capture_on_commit_callbacks, monkeypatch
):
    _enrollment, path = invited(cohort, trainer, django_capture_on_commit_callbacks)
    later = invitations.invitation_tokens._now() + timezone.timedelta(
        days=invitations.INVITATION_VALID_DAYS, hours=1
    )
    monkeypatch.setattr(invitations.invitation_tokens, "_now", lambda: later)

    response = client.get(path, follow=True)

    assert "Dieser Link gilt nicht mehr." in response.content.decode()


def test_a_password_reset_token_is_no_invitation(client, cohort, trainer):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    (enrollment,) = enroll_many(cohort, 1)
    uid = urlsafe_base64_encode(force_bytes(enrollment.user_id))
    token = default_token_generator.make_token(enrollment.user)

    response = client.get(reverse("accounts:invitation", args=[uid, token]), follow=True)

    assert "Dieser Link gilt nicht mehr." in response.content.decode()


def test_the_invitation_can_be_resent_until_the_password_is_set(
    trainer_client, cohort, trainer, django_capture_on_commit_callbacks
):
    # given an invited person
    enrollment, _path = invited(cohort, trainer, django_capture_on_commit_callbacks)
    resend = reverse("training_workspace:resend_invitation", args=[cohort.pk, enrollment.pk])
    # when the trainer re-sends the invitation
    with django_capture_on_commit_callbacks(execute=True):
        trainer_client.post(resend)
    # then a second mail with a fresh link went out
    assert [m.to for m in mail.outbox] == [["neu@example.org"], ["neu@example.org"]]
    assert enrollment.events.filter(action=EnrollmentEvent.Action.INVITED).count() == 2
    # and once the password is set, re-sending is refused
    user = enrollment.user
    user.set_password("Schalter-Dienst-2027")
    user.save()
    with pytest.raises(ValidationError) as refused:
        training_services.resend_invitation(enrollment=enrollment, actor=trainer)
    assert refused.value.messages == [str(training_services.INVITATION_NOT_NEEDED)]


def test_existing_accounts_get_no_invitation(cohort, trainer, django_capture_on_commit_callbacks):
    UserFactory(username="bekannt", email="bekannt@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        training_services.enroll_participant(
            cohort=cohort, email="bekannt@example.org", actor=trainer
        )

    assert mail.outbox == []


def test_the_participants_page_searches_and_paginates(trainer_client, cohort):
    enroll_many(cohort, 120)
    url = reverse("training_workspace:participants", args=[cohort.pk])

    first = trainer_client.get(url)
    found = trainer_client.get(url, {"q": "nachname0042"})

    assert first.context["page_obj"].paginator.count == 120
    assert len(first.context["page_obj"].object_list) == 100
    assert [r.last_name for r in found.context["page_obj"].object_list] == ["Nachname0042"]
