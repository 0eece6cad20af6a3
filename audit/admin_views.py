from django.core.paginator import Paginator
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.auth import permission_required
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from audit.models import AuditAction
from audit.selectors import audit_entries

VIEW_AUDIT = "audit.view_auditentry"


@method_decorator(permission_required(VIEW_AUDIT), name="dispatch")
class AuditIndexView(WagtailAdminTemplateMixin, TemplateView):
    page_title = _("Zugriffsprotokoll")
    header_icon = "history"
    template_name = "audit/index.html"
    paginate_by = 50

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        action = self.request.GET.get("action", "")
        if action not in AuditAction.values:
            action = ""
        page = Paginator(audit_entries(action=action), self.paginate_by).get_page(
            self.request.GET.get("p")
        )
        context.update({"page_obj": page, "actions": AuditAction.choices, "action": action})
        return context
