"""Account pages under /konto/ that belong to training (invitations)."""

from django.urls import path

from training.account_views import AcceptInvitationView

app_name = "account"

urlpatterns = [
    path(
        "einladung/<uidb64>/<token>/",
        AcceptInvitationView.as_view(),
        name="invitation",
    ),
]
