from django.urls import path

from certificates import renewal_views, views

app_name = "certificates"

urlpatterns = [
    path("pruefen/", views.verify_start, name="verify_start"),
    path("pruefen/<str:code>/", views.verify, name="verify"),
    path("pruefen/<str:code>/json/", views.verify_json, name="verify_json"),
    path("jwks.json", views.jwks, name="jwks"),
    path("<uuid:certificate_id>/pdf/", views.download, name="download"),
    path(
        "<uuid:certificate_id>/nachweis.<str:fmt>",
        views.download_credential,
        name="download_credential",
    ),
    path("<uuid:certificate_id>/auffrischung/", renewal_views.renewal, name="renewal"),
    path("aussteller/", views.issuer, name="issuer"),
    path("status/<int:list_number>/", views.status_list_view, name="status_list"),
    path("erinnerungen/", views.reminder_settings, name="reminder_settings"),
    path("kalender/<str:token>.ics", views.calendar, name="calendar"),
]
