"""Account screens in the Wagtail admin: lift lockouts (trainers, Kursleitung), reset a lost
second factor and erase an account on request (Kursleitung)."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.auth import any_permission_required, permission_required
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from accounts import selectors, services

UNLOCK = "accounts.unlock_login"
RESET = "accounts.reset_second_factor"
ERASE = "accounts.erase_account"


@method_decorator(any_permission_required(UNLOCK, RESET, ERASE), name="dispatch")
class AccountsIndexView(WagtailAdminTemplateMixin, TemplateView):
    page_title = gettext_lazy("Konten und Anmeldesperren")
    header_icon = "user"
    template_name = "accounts/admin/index.html"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        query = self.request.GET.get("q", "")
        can_search = user.has_perm(ERASE) or user.has_perm(RESET)
        accounts = list(selectors.search_accounts(query)) if can_search else []
        context.update(
            {
                "can_unlock": user.has_perm(UNLOCK),
                "can_erase": user.has_perm(ERASE),
                "can_reset": user.has_perm(RESET),
                "can_search": can_search,
                "locked": list(selectors.locked_logins()) if user.has_perm(UNLOCK) else [],
                "query": query,
                "accounts": [
                    {"account": account, "second_factor": selectors.has_second_factor(account)}
                    for account in accounts
                ],
            }
        )
        return context


@require_POST
@permission_required(UNLOCK)
def unlock(request):
    username = request.POST.get("username", "")
    services.unlock_login(username=username, actor=request.user)
    messages.success(
        request, _("Die Anmeldesperre für «%(username)s» ist aufgehoben.") % {"username": username}
    )
    return redirect("accounts_admin:index")


@require_POST
@permission_required(RESET)
def reset_second_factor(request, user_id: int):
    account = get_object_or_404(get_user_model(), pk=user_id)
    try:
        services.reset_second_factor(user=account, actor=request.user)
    except PermissionDenied as error:
        messages.error(request, str(error))
        return redirect(f"{reverse('accounts_admin:index')}?q={account.username}")
    messages.success(
        request,
        _("Die Zwei-Faktor-Anmeldung von «%(name)s» ist zurückgesetzt.")
        % {"name": account.get_full_name() or account.username},
    )
    return redirect(f"{reverse('accounts_admin:index')}?q={account.username}")


@method_decorator(permission_required(ERASE), name="dispatch")
class EraseAccountView(WagtailAdminTemplateMixin, TemplateView):
    page_title = gettext_lazy("Konto auf Antrag löschen")
    header_icon = "bin"
    template_name = "accounts/admin/erase.html"

    def dispatch(self, request, *args, **kwargs):
        self.account = get_object_or_404(get_user_model(), pk=kwargs["user_id"])
        if selectors.is_erased(self.account):
            messages.error(request, str(services.ALREADY_ERASED))
            return redirect("accounts_admin:index")
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("accounts_admin:index"), "label": AccountsIndexView.page_title},
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "account": self.account}

    def post(self, request, *args, **kwargs):
        if self.account.pk == request.user.pk:
            messages.error(request, _("Ihr eigenes Konto löschen Sie unter «Mein Konto»."))
            return redirect("accounts_admin:index")
        try:
            services.erase_account(user=self.account, actor=request.user)
        except PermissionDenied as error:
            messages.error(request, str(error))
            return redirect("accounts_admin:index")
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect("accounts_admin:index")
        messages.success(request, _("Das Konto wurde gelöscht und anonymisiert."))
        return redirect("accounts_admin:index")
