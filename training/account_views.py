"""The participant's side of an invitation: set the first password with the one-time link."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import resolve_url
from django.utils.translation import gettext_lazy as _

from training.invitations import INVITATION_VALID_DAYS, invitation_tokens


class AcceptInvitationView(auth_views.PasswordResetConfirmView):
    """Django's password-reset confirmation with the invitation's token: after setting the
    password the person is signed in and lands on their dashboard."""

    token_generator = invitation_tokens
    template_name = "training/account/accept_invitation.html"
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    title = _("Passwort festlegen")

    def form_valid(self, form):
        from accounts.services import mark_email_confirmed

        response = super().form_valid(form)
        mark_email_confirmed(user=form.user)  # the link reached the address: it is confirmed
        return response

    def get_success_url(self):
        return resolve_url(settings.LOGIN_REDIRECT_URL)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["valid_days"] = INVITATION_VALID_DAYS
        return context
