"""URLs of the trainer workspace, mounted in the Wagtail admin by workspace.wagtail_hooks:
/admin/lernstand/ (namespace ``training_workspace``) and /admin/bewertung/ (``training_marking``);
the namespaces keep the names they had in the training app."""

from django.urls import path

from workspace.views import (
    jobs,
    marking,
    participants,
    quiz_statistics,
    regrade,
    report,
    transfer,
    units,
)
from workspace.views.base import IndexView


def workspace_urls():
    cohort = "<int:cohort_id>/"
    person = cohort + "teilnehmende/<int:enrollment_id>/"
    return [
        path("", IndexView.as_view(), name="index"),
        path(cohort, report.CohortReportView.as_view(), name="report"),
        path(
            cohort + "export/bericht.<slug:fmt>",
            report.ReportExportView.as_view(),
            name="report_export",
        ),
        path(
            cohort + "teilnehmende/", participants.ParticipantsView.as_view(), name="participants"
        ),
        path(
            cohort + "teilnehmende/einschreiben/", participants.EnrollView.as_view(), name="enroll"
        ),
        path(
            cohort + "teilnehmende/export.<slug:fmt>",
            participants.ParticipantsExportView.as_view(),
            name="participants_export",
        ),
        path(person, participants.ParticipantDetailView.as_view(), name="participant"),
        path(person + "austragen/", participants.UnenrollView.as_view(), name="unenroll"),
        path(
            person + "einladung/",
            participants.ResendInvitationView.as_view(),
            name="resend_invitation",
        ),
        path(
            person + "versuche/<int:sitting_id>/",
            participants.SittingDetailView.as_view(),
            name="sitting",
        ),
        path(
            cohort + "lernkontrollen/<int:quiz_id>/",
            quiz_statistics.QuizStatisticsView.as_view(),
            name="quiz_statistics",
        ),
        path(
            "lernkontrollen/<int:quiz_id>/",
            quiz_statistics.AllCohortsQuizStatisticsView.as_view(),
            name="quiz_statistics_all",
        ),
        path(regrade.PATH, regrade.RegradeView.as_view(), name="regrade"),
        path(cohort + "import/", jobs.ImportView.as_view(), name="import"),
        path("auftraege/<int:job_id>/", jobs.JobView.as_view(), name="job"),
        path(
            "auftraege/<int:job_id>/ausfuehren/", jobs.JobConfirmView.as_view(), name="job_confirm"
        ),
        path("auftraege/<int:job_id>/datei/", jobs.JobDownloadView.as_view(), name="job_download"),
        path("organisationseinheiten/", units.UnitOverviewView.as_view(), name="units"),
    ]


marking_urls = (
    [
        path("", marking.MarkingQueueView.as_view(), name="queue"),
        path("<int:sitting_id>/", marking.MarkSittingView.as_view(), name="sitting"),
    ],
    "training_marking",
)

transfer_urls = (
    [
        path("", transfer.TransferQueueView.as_view(), name="queue"),
        path("<int:task_id>/", transfer.ReviewTransferTaskView.as_view(), name="review"),
        path("<int:task_id>/anhang/", transfer.TransferAttachmentView.as_view(), name="attachment"),
    ],
    "training_transfer",
)
