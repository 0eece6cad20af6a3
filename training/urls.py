from django.urls import path

from training import views
from training.quizzes import views as quiz_views
from training.transfer import views as transfer_views

app_name = "training"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("fortschritt/", quiz_views.progress, name="progress"),
    path("module/<int:module_id>/gelesen/", views.mark_read, name="mark_read"),
    path("module/<int:module_id>/lernkontrolle/", quiz_views.start_quiz, name="start_quiz"),
    path("kurse/<int:course_id>/abschlusspruefung/", quiz_views.start_exam, name="start_exam"),
    path("praxisauftraege/<int:section_id>/", transfer_views.transfer_task, name="transfer_task"),
    path(
        "praxisauftraege/<int:section_id>/anhang/",
        transfer_views.transfer_attachment,
        name="transfer_attachment",
    ),
    path("versuche/<int:sitting_id>/", quiz_views.sitting, name="sitting"),
    path("versuche/<int:sitting_id>/ergebnis/", quiz_views.result, name="result"),
]
