"""Aggregates for unit leads (workspace.units)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from training.access import UNIT_AGGREGATES_PERMISSION
from workspace.units import min_group_size, unit_aggregates
from workspace.views.base import WorkspaceView


class UnitOverviewView(WorkspaceView):
    permission = UNIT_AGGREGATES_PERMISSION
    page_title = gettext_lazy("Übersicht Organisationseinheiten")
    template_name = "workspace/units.html"
    header_icon = "site"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["aggregates"] = unit_aggregates(self.request.user)
        context["min_group_size"] = min_group_size()
        return context
