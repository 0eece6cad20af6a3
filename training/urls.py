from django.urls import path

from training import views
from training.quizzes import views as quiz_views

app_name = "training"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("fortschritt/", quiz_views.progress, name="progress"),
    path("module/<int:module_id>/gelesen/", views.mark_read, name="mark_read"),
    path("module/<int:module_id>/lernkontrolle/", quiz_views.start_quiz, name="start_quiz"),
    path("versuche/<int:sitting_id>/", quiz_views.sitting, name="sitting"),
    path("versuche/<int:sitting_id>/ergebnis/", quiz_views.result, name="result"),
]
