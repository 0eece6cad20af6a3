"""The certificate register in the Wagtail admin: trainers see their cohorts' certificates,
course leads see all and revoke with a reason (logged in Wagtail's audit log)."""

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail import hooks
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic import HistoryView, IndexView, InspectView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from certificates import certificate_text, renewals, selectors, services
from certificates.models import Certificate, CertificateText

REVOKED_MESSAGE = _("Zertifikat %(serial)s wurde widerrufen.")


class CertificatePermissionPolicy(ModelPermissionPolicy):
    """Certificates are only ever written by the issuing task and the revoke action: no one
    adds, edits or deletes them in the admin, not even a superuser."""

    def user_has_permission(self, user, action):
        if action in {"add", "change", "delete"}:
            return False
        return super().user_has_permission(user, action)


register_permission_policy(Certificate, CertificatePermissionPolicy(Certificate))


class StatusColumn(Column):
    """Valid, revoked, expired, or renewed (superseded by a newer certificate)."""

    def get_value(self, instance):
        if instance.is_revoked:
            return _("widerrufen")
        if instance.superseded_by is not None:
            return _("erneuert durch %(serial)s") % {"serial": instance.superseded_by.serial}
        return _("abgelaufen") if instance.is_expired() else _("gültig")


class CertificateIndexView(IndexView):
    def get_base_queryset(self):
        return selectors.certificates_visible_to(self.request.user).select_related("successor")


class CertificateInspectView(InspectView):
    def get_object(self, queryset=None):
        return get_object_or_404(selectors.certificates_visible_to(self.request.user), pk=self.pk)

    def get_field_display_value(self, field_name, field):
        value = super().get_field_display_value(field_name, field)
        return "–" if value in (None, "") else value

    def get_previous_display_value(self):
        return self.object.previous.serial if self.object.previous_id else "–"

    def get_successor_display_value(self):
        successor = self.object.superseded_by
        return successor.serial if successor else "–"

    def get_renewal_status_display_value(self):
        status = renewals.renewal_status(self.object)
        if status.state == "running":
            return _("Auffrischung läuft seit %(date)s") % {
                "date": date_format(timezone.localtime(status.renewal.started_at), "DATE_FORMAT")
            }
        if status.state == "awaiting":
            return _("Auffrischung abgeschlossen; das neue Zertifikat wird erstellt")
        if status.state == "eligible":
            return _("Auffrischung möglich, nicht begonnen")
        return status.message or "–"

    def get_field_label(self, field_name, field):
        labels = {
            "successor": _("Erneuert durch"),
            "renewal_status": _("Auffrischung"),
        }
        return labels.get(field_name) or super().get_field_label(field_name, field)

    def get_sections_display_value(self):
        return "; ".join(
            f"{s['title']}: {s['completed_on']}, {s['teaching_units']} UE"
            for s in self.object.sections
        )

    @cached_property
    def header_buttons(self):
        buttons = []
        if services.can_revoke(self.request.user) and not self.object.is_revoked:
            buttons.append(
                HeaderButton(
                    _("Widerrufen"),
                    url=reverse("certificate:revoke", args=[self.object.pk]),
                    icon_name="warning",
                )
            )
        return buttons


class CertificateHistoryView(HistoryView):
    """Whoever may see a certificate may see its audit trail (issued, revoked: who and why)."""

    any_permission_required = ["view"]

    def get_object(self):
        return get_object_or_404(
            selectors.certificates_visible_to(self.request.user), pk=unquote(str(self.pk))
        )


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Grund des Widerrufs"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=1000,
        help_text=_("Wird auf der öffentlichen Prüfseite angezeigt."),
        error_messages={"required": services.REVOCATION_REASON_REQUIRED},
    )


class RevokeView(WagtailAdminTemplateMixin, FormView):
    form_class = RevokeForm
    template_name = "certificates/admin/revoke.html"
    page_title = _("Zertifikat widerrufen")
    header_icon = "warning"

    def dispatch(self, request, *args, **kwargs):
        if not services.can_revoke(request.user):
            raise PermissionDenied
        self.object = get_object_or_404(Certificate, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return str(self.object)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("certificate:index"), "label": _("Zertifikate")},
            {
                "url": reverse("certificate:inspect", args=[self.object.pk]),
                "label": str(self.object),
            },
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(object=self.object, **kwargs)

    def form_valid(self, form):
        try:
            services.revoke_certificate(
                certificate_id=self.object.pk,
                reason=form.cleaned_data["reason"],
                revoked_by=self.request.user,
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
            return self.form_invalid(form)
        messages.success(self.request, REVOKED_MESSAGE % {"serial": self.object.serial})
        return redirect("certificate:inspect", self.object.pk)


class CertificateViewSet(ModelViewSet):
    model = Certificate
    icon = "doc-full"
    menu_label = _("Zertifikate")
    menu_order = 230
    add_to_admin_menu = True
    index_view_class = CertificateIndexView
    inspect_view_class = CertificateInspectView
    history_view_class = CertificateHistoryView
    inspect_view_enabled = True
    copy_view_enabled = False
    form_fields = ["revocation_reason"]  # never shown: the policy denies add and edit
    search_fields = ["serial", "holder_name", "course_title"]
    search_backend_name = None
    list_display = [
        "serial",
        "holder_name",
        Column("cohort", label=_("Kursdurchführung"), accessor="enrollment.cohort"),
        DateColumn("issued_at", label=_("Ausgestellt am")),
        DateColumn("valid_until", label=_("Gültig bis")),
        StatusColumn("status", label=_("Status")),
    ]
    inspect_view_fields = [
        "serial",
        "holder_name",
        "course_title",
        "sections",
        "issued_at",
        "valid_until",
        "previous",
        "successor",
        "renewal_status",
        "status_index",
        "pdf_sha256",
        "key_id",
        "emailed_at",
        "revoked_at",
        "revocation_reason",
        "revoked_by",
    ]

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("revoke/<uuid:pk>/", RevokeView.as_view(), name="revoke"),
        ]


@hooks.register("register_admin_viewset")
def register_certificate_viewset():
    return CertificateViewSet("certificate")


@hooks.register("register_log_actions")
def register_certificate_log_actions(actions):
    actions.register_action(services.REVOKE_ACTION, _("Widerrufen"), _("Zertifikat widerrufen"))


# --- Certificate text: the Kursleitung words it (permission), and every change is audited ----

_TEXT_BEFORE_ATTR = "_certificate_text_before"


@hooks.register("before_edit_setting")
def remember_certificate_text(request, instance):
    if isinstance(instance, CertificateText) and request.method == "POST":
        setattr(request, _TEXT_BEFORE_ATTR, certificate_text.certificate_text_values(instance))


@hooks.register("after_edit_setting")
def audit_certificate_text(request, instance):
    before = getattr(request, _TEXT_BEFORE_ATTR, None)
    if isinstance(instance, CertificateText) and before is not None:
        instance.refresh_from_db()
        certificate_text.record_certificate_text_change(
            actor=request.user, before=before, text=instance
        )
