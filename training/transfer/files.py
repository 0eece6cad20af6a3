"""Attachments of transfer tasks: what may be uploaded (size and type, recognised by the file's
first bytes, not by what the browser claims) and how it is sent back (always as a download)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePath

from django.core.files.base import File
from django.http import FileResponse
from django.utils.translation import gettext_lazy as _

from training.errors import TrainingError

MAX_BYTES = 5 * 1024 * 1024

# extension → (content type, how the file starts)
ALLOWED = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
}

FILE_TOO_BIG = _(
    "Der Anhang ist zu gross: höchstens 5 MB sind möglich. Es wurde nichts gespeichert."
)
FILE_TYPE = _(
    "Als Anhang sind PDF, PNG, JPEG und Word-Dokumente (DOCX) möglich. Es wurde nichts gespeichert."
)
FILE_EMPTY = _("Der Anhang ist leer. Es wurde nichts gespeichert.")


@dataclass
class CheckedAttachment:
    content: File
    stored_name: str
    display_name: str


def _display_name(name: str) -> str:
    name = unicodedata.normalize("NFC", PurePath(name.replace("\\", "/")).name)
    name = re.sub(r"[^\w.\- ]", "_", name).strip(" .") or "anhang"
    return name[-120:]


def checked_attachment(upload) -> CheckedAttachment:
    """The upload, if it is a PDF, PNG, JPEG or DOCX file of at most 5 MB; else TrainingError."""
    if upload.size is None or upload.size > MAX_BYTES:
        raise TrainingError(FILE_TOO_BIG)
    if upload.size == 0:
        raise TrainingError(FILE_EMPTY)
    suffix = PurePath(upload.name or "").suffix.lower()
    if suffix not in ALLOWED:
        raise TrainingError(FILE_TYPE)
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not head.startswith(ALLOWED[suffix][1]):
        raise TrainingError(FILE_TYPE)
    return CheckedAttachment(
        content=upload, stored_name=f"anhang{suffix}", display_name=_display_name(upload.name)
    )


def attachment_response(task) -> FileResponse:
    """The task's attachment as a download with the type of its extension (never rendered by
    the browser as a page)."""
    suffix = PurePath(task.attachment.name).suffix.lower()
    content_type = ALLOWED.get(suffix, ("application/octet-stream",))[0]
    response = FileResponse(
        task.attachment.open("rb"),
        as_attachment=True,
        filename=task.attachment_name or f"anhang{suffix}",
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
