"""The participant's transfer task page (*Praxisauftrag*) for a section, and its attachment.
Works without JavaScript; the service decides, the view parses and renders."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from training.errors import TrainingError
from training.transfer import files, selectors, services
from training.views import error_page, private_no_store

# A request larger than an attachment plus the form is refused before it is read.
MAX_REQUEST_BYTES = files.MAX_BYTES + 64 * 1024


def _too_large(request) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > MAX_REQUEST_BYTES
    except ValueError:
        return True


@require_http_methods(["GET", "POST"])
@login_required
@private_no_store
def transfer_task(request, section_id):
    try:
        section, enrollment = services.section_and_enrollment(request.user, section_id)
    except TrainingError as exc:
        return error_page(request, exc)
    error = None
    if request.method == "POST":
        if _too_large(request):
            return error_page(request, TrainingError(files.FILE_TOO_BIG))
        try:
            services.submit_transfer_task(
                user=request.user,
                section_id=section.pk,
                text=request.POST.get("text", ""),
                version=request.POST.get("version"),
                attachment=request.FILES.get("attachment"),
                remove_attachment=request.POST.get("remove_attachment") == "1",
            )
        except TrainingError as exc:
            error = exc
        else:
            messages.success(
                request,
                _(
                    "Ihr Praxisauftrag ist eingereicht. Sie erhalten eine Rückmeldung Ihrer "
                    "Trainerin oder Ihres Trainers."
                ),
            )
            return redirect("training:transfer_task", section_id=section.pk)
    task = selectors.own_task(enrollment, section)
    return render(
        request,
        "training/transfer_task.html",
        {
            "section": section,
            "task": task,
            "error": error.message if error else None,
            "text": request.POST.get("text", "") if error else (task.text if task else ""),
            "text_min": services.TEXT_MIN,
            "text_max": services.TEXT_MAX,
        },
        status=error.status if error else 200,
    )


@login_required
@private_no_store
def transfer_attachment(request, section_id):
    """The participant's own attachment (trainers download it in the workspace)."""
    try:
        section, enrollment = services.section_and_enrollment(request.user, section_id)
    except TrainingError as exc:
        return error_page(request, exc)
    task = selectors.own_task(enrollment, section)
    if task is None or not task.attachment:
        raise Http404(_("Zu diesem Praxisauftrag gibt es keinen Anhang."))
    return files.attachment_response(task)
