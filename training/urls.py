from django.urls import path

from training import views

app_name = "training"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("fortschritt/", views.progress, name="progress"),
    path("module/<int:module_id>/gelesen/", views.mark_read, name="mark_read"),
    path("module/<int:module_id>/lernkontrolle/", views.start_quiz, name="start_quiz"),
    path("versuche/<int:sitting_id>/", views.sitting, name="sitting"),
    path("versuche/<int:sitting_id>/ergebnis/", views.result, name="result"),
]
