from django.urls import include, path

from accounts import account_views, views
from accounts.sso import views as sso_views

app_name = "accounts"

urlpatterns = [
    path("", views.account, name="account"),
    path("einladung/<uidb64>/<token>/", views.AcceptInvitationView.as_view(), name="invitation"),
    path("email-bestaetigen/<str:token>/", views.email_confirm, name="email_confirm"),
    path("sso/", include("accounts.sso.urls")),
    path("notfall-anmeldung/", sso_views.EmergencyLoginView.as_view(), name="emergency_login"),
    path("daten/", views.data_export, name="data_export"),
    path("daten/meine-daten.json", views.data_export_download, name="data_export_download"),
    path("daten/uebersicht/", account_views.data_summary_page, name="data_summary"),
    path("daten/meine-daten.pdf", account_views.data_summary_pdf, name="data_summary_pdf"),
    path("passwort/", account_views.change_password, name="change_password"),
    path("bezeichnung/", account_views.qualification, name="qualification"),
    path("benachrichtigungen/", account_views.notification_list, name="notifications"),
    path("loeschen/", views.erase, name="erase"),
    path("zwei-faktor/", views.second_factor_setup, name="second_factor_setup"),
    path("zwei-faktor/code/", views.second_factor_verify, name="second_factor_verify"),
    path("zwei-faktor/ausschalten/", views.second_factor_disable, name="second_factor_disable"),
    path("passwort-vergessen/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "passwort-vergessen/gesendet/",
        views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "passwort-neu/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "passwort-neu/fertig/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
