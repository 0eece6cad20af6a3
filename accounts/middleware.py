from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from accounts.selectors import has_second_factor, requires_second_factor
from accounts.signals import SECOND_FACTOR_PENDING_SESSION_KEY
from accounts.sso.flow import SSO_MFA_SESSION_KEY
from core.security import is_admin_path


def _exempt_paths() -> set[str]:
    return {
        reverse("accounts:second_factor_setup"),
        reverse("accounts:second_factor_verify"),
        reverse("logout"),
        reverse("wagtailadmin_logout"),
        reverse("set_language"),
        reverse("healthz"),
    }


class SecondFactorMiddleware:
    """Sends users who must enter a second factor to the code page before anything else.

    - A user with a confirmed device who has not entered a code in this session (the login
      marked the session) is sent to the verify page from every page.
    - With ``ADMIN_REQUIRE_2FA`` (default on), anyone who can enter the Wagtail admin and is not
      verified is sent from the admin to the verify page, or to the setup page when they have no
      device yet.

    Placed after django-otp's ``OTPMiddleware``, which tells whether the session is verified.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        target = self._redirect_target(request)
        if target is not None:
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse(target)}?{query}")
        return self.get_response(request)

    def _redirect_target(self, request) -> str | None:
        session = request.session
        if not session.session_key:
            return None
        pending = session.get(SECOND_FACTOR_PENDING_SESSION_KEY, False)
        admin = is_admin_path(request.path_info)
        if not (pending or admin):
            return None
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if session.get(SSO_MFA_SESSION_KEY):
            # The organisation's provider performed multi-factor authentication at this login,
            # and the deployment trusts it for that provider (accounts.sso).
            return None
        if request.path_info in _exempt_paths():
            return None
        if pending:
            return "accounts:second_factor_verify"
        if requires_second_factor(user):
            if has_second_factor(user):
                return "accounts:second_factor_verify"
            return "accounts:second_factor_setup"
        return None
