"""The panels of the Wagtail admin's home page for trainers and course leads: their cohorts with
progress, essays waiting for marking, pages and quizzes waiting for their review, and the
latest certificates. Each panel shows only what the one access rule lets the user see
(``training.access``, ``quizzes.selectors.sittings_visible_to``, Wagtail's task permissions,
``certificates.selectors.certificates_visible_to``) and says so when there is nothing."""

from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from wagtail.admin.ui.components import Component
from wagtail.models import TaskState

from certificates.selectors import certificates_visible_to
from training.access import cohorts_for
from training.quizzes.marking import can_mark_essays
from training.quizzes.selectors import sittings_visible_to

SHOWN = 5


class _Panel(Component):
    def __init__(self, user):
        self.user = user


class CohortsPanel(_Panel):
    name = "workspace_cohorts"
    order = 50
    template_name = "workspace/dashboard/cohorts.html"

    def get_context_data(self, parent_context=None):
        cohorts = list(
            cohorts_for(self.user)
            .annotate(
                active=Count("enrollments", filter=Q(enrollments__unenrolled_at__isnull=True)),
                completed=Count(
                    "enrollments",
                    filter=Q(
                        enrollments__unenrolled_at__isnull=True,
                        enrollments__completed_at__isnull=False,
                    ),
                ),
            )
            .order_by("-starts_on", "name")[: SHOWN * 2]
        )
        return {"cohorts": cohorts}


class MarkingPanel(_Panel):
    name = "workspace_marking"
    order = 60
    template_name = "workspace/dashboard/marking.html"

    def get_context_data(self, parent_context=None):
        waiting = (
            sittings_visible_to(self.user)
            .filter(complete=True, needs_marking=True)
            .select_related("user", "quiz", "enrollment__cohort")
            .defer("quiz__questions")
            .order_by("finished_at", "pk")
        )
        return {"count": waiting.count(), "sittings": list(waiting[:SHOWN])}


class ReviewPanel(_Panel):
    """Pages and quizzes submitted to the «Fachliche Prüfung» that this user may approve."""

    name = "workspace_review"
    order = 70
    template_name = "workspace/dashboard/review.html"

    def get_context_data(self, parent_context=None):
        states = (
            TaskState.objects.reviewable_by(self.user)
            .select_related("revision", "workflow_state__requested_by")
            .order_by("-started_at")
        )
        items = []
        for state in states[: SHOWN * 2]:
            obj = state.revision.content_object if state.revision else None
            if obj is None:
                continue
            items.append(
                {
                    "title": _display_title(obj),
                    "kind": obj._meta.verbose_name,
                    "url": _edit_url(obj),
                    "requested_by": state.workflow_state.requested_by,
                    "started_at": state.started_at,
                }
            )
        return {"items": items}


def _display_title(obj) -> str:
    title = getattr(obj, "get_admin_display_title", None)
    return str(title() if title else obj)


def _edit_url(obj) -> str:
    from wagtail.models import Page

    if isinstance(obj, Page):
        return reverse("wagtailadmin_pages:edit", args=[obj.pk])
    meta = obj._meta
    try:
        return reverse(f"wagtailsnippets_{meta.app_label}_{meta.model_name}:edit", args=[obj.pk])
    except NoReverseMatch:
        return ""


class CertificatesPanel(_Panel):
    name = "workspace_certificates"
    order = 80
    template_name = "workspace/dashboard/certificates.html"

    def get_context_data(self, parent_context=None):
        certificates = certificates_visible_to(self.user).order_by("-issued_at")[:SHOWN]
        return {"certificates": list(certificates)}


def panels_for(user) -> list[Component]:
    """The workspace's panels this user gets (trainers and course leads)."""
    panels = []
    if cohorts_for(user).exists() or user.has_perm("training.view_cohort"):
        panels.append(CohortsPanel(user))
    if can_mark_essays(user):
        panels.append(MarkingPanel(user))
    panels.append(ReviewPanel(user))
    if user.has_perm("training.view_cohort"):
        panels.append(CertificatesPanel(user))
    return panels
