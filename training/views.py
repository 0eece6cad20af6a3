"""Participant pages of a learner's progress: *Mein Lernstand* and marking a module read. The
quiz pages are training.quizzes.views. Views parse the request, call one service and render."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import patch_cache_control
from django.views.decorators.http import require_POST

from cms.selectors import attach_site
from training import selectors, services
from training.errors import TrainingError


def private_no_store(view):
    """Quiz, result and progress pages are personal and must never be cached or replayed
    from a browser or proxy cache."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        patch_cache_control(response, private=True, no_store=True)
        return response

    return wrapper


def error_page(request, exc: TrainingError, **context):
    return render(
        request,
        "training/error.html",
        {"message": exc.message, **context},
        status=exc.status,
    )


@login_required
@private_no_store
def dashboard(request):
    attach_site(request)  # the page links to every module
    return render(request, "training/dashboard.html", selectors.dashboard_for(request.user))


@require_POST
@login_required
@private_no_store
def mark_read(request, module_id):
    try:
        progress = services.mark_module_read(user=request.user, module_id=module_id)
    except TrainingError as exc:
        return error_page(request, exc)
    refreshed = progress.renewal_progress
    if refreshed is not None:
        if refreshed.completed_at:
            messages.success(
                request, _("Geschafft: Dieses Modul ist für die Auffrischung wiederholt.")
            )
        else:
            messages.success(request, _("Das Modul ist für die Auffrischung als gelesen markiert."))
    elif progress.completed_at:
        messages.success(request, _("Geschafft: Dieses Modul ist abgeschlossen."))
    else:
        messages.success(request, _("Das Modul ist als gelesen markiert."))
    return redirect(progress.module.get_url(request) + "#lernstand")
