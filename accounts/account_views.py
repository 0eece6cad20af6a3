"""More of *Mein Konto*: changing the password, the form of the qualification on the
certificate, what happened (notifications) and the readable data download."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from accounts import data_summary, notifications, profile
from accounts.forms import ChangePasswordForm, QualificationChoiceForm
from accounts.models import QualificationForm

# What each form reads like on the certificate, for the choice in Mein Konto.
QUALIFICATION_EXAMPLES = {
    QualificationForm.NEUTRAL: "Fachperson für digitalen Bürgerservice",
    QualificationForm.EXPERTIN: "Expertin für digitalen Bürgerservice",
    QualificationForm.EXPERTE: "Experte für digitalen Bürgerservice",
}


@login_required
@never_cache
@sensitive_post_parameters("old_password", "new_password1", "new_password2")
def change_password(request):
    if not request.user.has_usable_password():
        # An account from the organisation login has no password here to change.
        return render(request, "accounts/change_password.html", {"no_password": True})
    form = ChangePasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        update_session_auth_hash(request, form.user)  # this session stays signed in
        ended = profile.password_changed(
            user=form.user, keep_session_key=request.session.session_key
        )
        messages.success(request, _("Ihr Passwort ist geändert."))
        if ended:
            messages.info(
                request,
                _(
                    "Ihre anderen Anmeldungen (auf anderen Geräten oder in anderen Browsern) "
                    "sind beendet; dort melden Sie sich mit dem neuen Passwort an."
                ),
            )
        return redirect("accounts:account")
    status = 400 if form.is_bound else 200
    return render(request, "accounts/change_password.html", {"form": form}, status=status)


@login_required
@never_cache
def qualification(request):
    choices = [(value, label) for value, label in QualificationForm.choices]
    current = profile.qualification_form_of(request.user)
    form = QualificationChoiceForm(
        request.POST or None, choices=choices, initial={"qualification_form": current}
    )
    if request.method == "POST" and form.is_valid():
        try:
            profile.set_qualification_form(
                user=request.user, form=form.cleaned_data["qualification_form"]
            )
        except ValidationError as exc:
            form.add_error("qualification_form", exc)
        else:
            messages.success(request, _("Ihre Wahl ist gespeichert."))
            return redirect("accounts:account")
    return render(
        request,
        "accounts/qualification.html",
        {
            "form": form,
            "examples": [(label, QUALIFICATION_EXAMPLES[value]) for value, label in choices],
        },
        status=400 if form.is_bound else 200,
    )


@login_required
@never_cache
def notification_list(request):
    entries = [
        (n, notifications.notification_text(n))
        for n in notifications.recent_notifications(request.user, limit=100)
    ]
    return render(request, "accounts/notifications.html", {"entries": entries})


@login_required
@never_cache
def data_summary_page(request):
    categories = data_summary.personal_data_summary(request.user)
    return render(request, "accounts/data_summary.html", {"categories": categories})


@login_required
@never_cache
def data_summary_pdf(request):
    categories = data_summary.personal_data_summary(request.user)
    pdf = data_summary.summary_pdf(user=request.user, categories=categories)
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"meine-daten-{timezone.localdate():%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
