"""Admin screens for question interchange: upload → preview → draft saved; export a revision.

Registered by this app's ``wagtail_hooks`` (one import line). The preview lives in the cache
(keyed per user and upload, one hour) until the trainer saves or cancels: a cancelled or
abandoned import leaves no row behind.
"""

from __future__ import annotations

import secrets

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets.button import ListingButton

from training.models import Quiz
from workspace.interchange import services
from workspace.interchange.model import MAX_FILE_BYTES, MalformedFile

NAMESPACE = "training_interchange"
PREVIEW_SECONDS = 60 * 60
PREVIEW_EXPIRED = _("Die Vorschau ist abgelaufen. Bitte laden Sie die Datei erneut hoch.")
CANCELLED = _("Import abgebrochen. Es wurde nichts gespeichert.")
SAVED = _(
    "%(count)s Fragen als Entwurf gespeichert. Reichen Sie die Lernkontrolle zur fachlichen "
    "Prüfung ein, wenn sie fertig ist."
)
NO_FILE = _("Bitte wählen Sie eine Datei aus.")


def _can_import(user) -> bool:
    return user.has_perm("training.add_quiz") or user.has_perm("training.change_quiz")


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Fragendatei (GIFT oder Moodle-XML)"),
        help_text=_("Höchstens 2 MB und 500 Fragen, in UTF-8."),
    )
    target = forms.ChoiceField(label=_("Ziel"), choices=(), required=True)
    title = forms.CharField(
        label=_("Titel der neuen Lernkontrolle"), max_length=255, required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("new", _("Neue Lernkontrolle (Entwurf)"))]
        choices += [(str(q.pk), q.title) for q in services.import_targets(user)]
        self.fields["target"].choices = choices

    def clean(self):
        data = super().clean()
        if data.get("target") == "new" and not (data.get("title") or "").strip():
            self.add_error("title", services.TITLE_REQUIRED)
        upload = data.get("file")
        if upload is not None and upload.size > MAX_FILE_BYTES:
            self.add_error("file", str(services.FILE_TOO_LARGE))
        return data


def _key(user, token: str) -> str:
    return f"interchange:preview:{user.pk}:{token}"


class ImportView(View):
    template_name = "interchange/import.html"

    def dispatch(self, request, *args, **kwargs):
        if not _can_import(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self._form(request, UploadForm(user=request.user))

    def _form(self, request, form, status=200, error=""):
        context = {"form": form, "error": error, "page_title": _("Fragen importieren")}
        return TemplateResponse(request, self.template_name, context, status=status)

    def post(self, request):
        form = UploadForm(request.POST, request.FILES, user=request.user)
        if not form.is_valid():
            return self._form(request, form, status=400)
        upload = form.cleaned_data["file"]
        try:
            items = services.read_upload(name=upload.name, data=upload.read(MAX_FILE_BYTES + 1))
        except MalformedFile as error:
            return self._form(request, form, status=400, error=error.message)
        target = form.cleaned_data["target"]
        token = secrets.token_urlsafe(16)
        cache.set(
            _key(request.user, token),
            {
                "items": items,
                "title": form.cleaned_data.get("title") or "",
                "quiz_id": None if target == "new" else int(target),
                "filename": upload.name,
            },
            PREVIEW_SECONDS,
        )
        return redirect(reverse(f"{NAMESPACE}:preview", args=[token]))


class PreviewView(View):
    template_name = "interchange/preview.html"

    def dispatch(self, request, *args, **kwargs):
        if not _can_import(request.user):
            raise PermissionDenied
        self.key = _key(request.user, kwargs["token"])
        self.pending = cache.get(self.key)
        if self.pending is None:
            messages.error(request, PREVIEW_EXPIRED)
            return redirect(reverse(f"{NAMESPACE}:import"))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, token, error=""):
        items = self.pending["items"]
        target = None
        if self.pending["quiz_id"]:
            target = Quiz.objects.filter(pk=self.pending["quiz_id"]).first()
        context = {
            "page_title": _("Vorschau des Imports"),
            "items": items,
            "importable": sum(1 for i in items if i.importable),
            "refused": sum(1 for i in items if not i.importable),
            "pending": self.pending,
            "target": target,
            "error": error,
        }
        return TemplateResponse(request, self.template_name, context, status=400 if error else 200)

    def post(self, request, token):
        if "cancel" in request.POST:
            cache.delete(self.key)
            messages.info(request, CANCELLED)
            return redirect(reverse(f"{NAMESPACE}:import"))
        # The request that removes the preview saves it: a double click or a replayed form
        # finds it gone and saves nothing a second time.
        if not cache.delete(self.key):
            messages.error(request, PREVIEW_EXPIRED)
            return redirect(reverse(f"{NAMESPACE}:import"))
        try:
            quiz = services.save_import(
                items=self.pending["items"],
                user=request.user,
                title=self.pending["title"],
                quiz_id=self.pending["quiz_id"],
            )
        except (ValidationError, PermissionDenied) as error:
            cache.set(self.key, self.pending, PREVIEW_SECONDS)  # nothing saved: try again
            message = " ".join(getattr(error, "messages", None) or [str(error)])
            return self.get(request, token, error=message)
        except Quiz.DoesNotExist as error:
            raise Http404 from error
        count = sum(1 for i in self.pending["items"] if i.importable)
        messages.success(request, SAVED % {"count": count})
        return redirect(reverse("wagtailsnippets_training_quiz:edit", args=[quiz.pk]))


class ExportView(View):
    """The quiz's revisions with download links; ``?format=gift|xml`` downloads one."""

    template_name = "interchange/export.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("training.change_quiz"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, quiz_id):
        quiz = get_object_or_404(Quiz, pk=quiz_id)
        fmt = request.GET.get("format")
        if fmt is None:
            revisions = quiz.revisions.order_by("-created_at", "-pk").select_related("user")[:50]
            context = {"quiz": quiz, "revisions": revisions, "page_title": _("Fragen exportieren")}
            return TemplateResponse(request, self.template_name, context)
        if fmt not in services.FORMATS:
            raise Http404
        revision = request.GET.get("revision")
        try:
            revision_id = int(revision) if revision else None
            filename, content_type, content = services.export_revision(
                quiz_id=quiz.pk, revision_id=revision_id, fmt=fmt
            )
        except (ValueError, Quiz.DoesNotExist) as error:
            raise Http404 from error
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


urls = [
    path("", ImportView.as_view(), name="import"),
    path("vorschau/<str:token>/", PreviewView.as_view(), name="preview"),
    path("export/<int:quiz_id>/", ExportView.as_view(), name="export"),
]


@hooks.register("register_admin_urls")
def register_interchange_urls():
    return [path("fragen-austausch/", include((urls, NAMESPACE), namespace=NAMESPACE))]


class ImportMenuItem(MenuItem):
    def is_shown(self, request):
        return _can_import(request.user)


@hooks.register("register_admin_menu_item")
def register_import_menu_item():
    return ImportMenuItem(
        _("Fragen importieren"),
        reverse(f"{NAMESPACE}:import"),
        icon_name="upload",
        order=211,
    )


@hooks.register("register_snippet_listing_buttons")
def quiz_export_button(snippet, user, next_url=None):
    if isinstance(snippet, Quiz) and user.has_perm("training.change_quiz"):
        yield ListingButton(
            _("Exportieren (GIFT/Moodle-XML)"),
            reverse(f"{NAMESPACE}:export", args=[snippet.pk]),
            icon_name="download",
            priority=60,
        )
