"""Reading an uploaded question file into a preview, saving it as a draft quiz, and exporting a
quiz revision. The only module of the package that touches the database."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from training.models import Quiz
from workspace.interchange import gift, mapping, moodle_xml
from workspace.interchange.mapping import PreviewItem
from workspace.interchange.model import (
    FILE_TOO_LARGE,
    MAX_FILE_BYTES,
    MAX_QUESTIONS,
    NO_QUESTIONS,
    NOT_UTF8,
    NUL_CHARACTER,
    TOO_MANY_QUESTIONS,
    UNKNOWN_FORMAT,
    MalformedFile,
)

GIFT = "gift"
MOODLE_XML = "xml"
FORMATS = {GIFT: ("txt", "text/plain; charset=utf-8"), MOODLE_XML: ("xml", "application/xml")}

NOTHING_TO_IMPORT = _("Die Datei enthält keine Frage, die übernommen werden kann.")
TITLE_REQUIRED = _("Bitte geben Sie einen Titel für die neue Lernkontrolle an.")
TARGET_NOT_DRAFT = _(
    "Diese Lernkontrolle ist veröffentlicht. Importieren Sie in eine neue Lernkontrolle oder "
    "in einen Entwurf, der noch nie veröffentlicht wurde."
)
TARGET_IN_REVIEW = _(
    "Diese Lernkontrolle wird gerade fachlich geprüft. Warten Sie die Prüfung ab oder "
    "importieren Sie in eine neue Lernkontrolle."
)
TARGET_LOCKED = _("Diese Lernkontrolle ist von einer anderen Person gesperrt.")
NOT_ALLOWED = _("Sie dürfen keine Lernkontrollen anlegen oder ändern.")
REVISION_MISMATCH = _("Diese Version gehört nicht zu dieser Lernkontrolle.")


def detect_format(name: str, data: bytes) -> str:
    lowered = (name or "").lower()
    if lowered.endswith(".xml"):
        return MOODLE_XML
    if lowered.endswith((".txt", ".gift")):
        return GIFT
    head = data[:200].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith((b"<?xml", b"<quiz")):
        return MOODLE_XML
    raise MalformedFile(UNKNOWN_FORMAT)


def read_upload(*, name: str, data: bytes) -> list[PreviewItem]:
    """Every question of an uploaded GIFT or Moodle XML file as a preview item: the block it
    becomes or the German reason it cannot. Saves nothing. Raises :class:`MalformedFile`."""
    if len(data) > MAX_FILE_BYTES:
        raise MalformedFile(FILE_TOO_LARGE)
    if detect_format(name, data) == MOODLE_XML:
        raws = moodle_xml.parse(data)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise MalformedFile(NOT_UTF8) from error
        if "\x00" in text:  # no text file; PostgreSQL could not store it in a quiz either
            raise MalformedFile(NUL_CHARACTER, line=text.count("\n", 0, text.index("\x00")) + 1)
        raws = gift.parse(text.replace("\r\n", "\n").replace("\r", "\n"))
    if len(raws) > MAX_QUESTIONS:
        raise MalformedFile(TOO_MANY_QUESTIONS % {"limit": MAX_QUESTIONS})
    if not raws:
        raise MalformedFile(NO_QUESTIONS)
    return [mapping.to_block(raw) for raw in raws]


def import_targets(user):
    """Drafts the user may append to: quizzes never published and not in review."""
    if not user.has_perm("training.change_quiz"):
        return Quiz.objects.none()
    return Quiz.objects.filter(live=False, first_published_at__isnull=True).order_by("title")


def save_import(*, items: list[PreviewItem], user, title: str = "", quiz_id: int | None = None):
    """Saves the importable questions as a draft revision of a new quiz (``title``) or appended
    to the never-published draft ``quiz_id``, in one transaction; nothing is published, so the
    quiz goes through *Fachliche Prüfung* like any other. Raises ``ValidationError``."""
    blocks = [item.block for item in items if item.block is not None]
    if not blocks:
        raise ValidationError(NOTHING_TO_IMPORT)
    with transaction.atomic():
        if quiz_id is None:
            if not user.has_perm("training.add_quiz"):
                raise PermissionDenied(NOT_ALLOWED)
            title = (title or "").strip()
            if not title:
                raise ValidationError(TITLE_REQUIRED)
            quiz = Quiz(title=title[:255], live=False, questions=blocks)
            _validate(quiz)
            quiz.save()
        else:
            if not user.has_perm("training.change_quiz"):
                raise PermissionDenied(NOT_ALLOWED)
            row = Quiz.objects.select_for_update().get(pk=quiz_id)
            if row.live or row.first_published_at is not None:
                raise ValidationError(TARGET_NOT_DRAFT)
            if row.workflow_in_progress:
                raise ValidationError(TARGET_IN_REVIEW)
            if row.locked and row.locked_by_id != user.pk:
                raise ValidationError(TARGET_LOCKED)
            quiz = row.get_latest_revision_as_object()
            quiz.questions = list(quiz.questions.raw_data) + blocks
            _validate(quiz)
            quiz.save()
        quiz.save_revision(user=user, log_action=True)
    return quiz


def _validate(quiz: Quiz) -> None:
    quiz.full_clean(exclude=["latest_revision", "live_revision", "locked_by"])


def export_revision(*, quiz_id: int, revision_id: int | None, fmt: str) -> tuple[str, str, bytes]:
    """The questions of a quiz revision (the latest when ``revision_id`` is None) as a GIFT or
    Moodle XML file: ``(filename, content type, bytes)``."""
    quiz = Quiz.objects.get(pk=quiz_id)
    if revision_id is None:
        revision = quiz.latest_revision
    else:
        revision = quiz.revisions.filter(pk=revision_id).first()
        if revision is None:
            raise Quiz.DoesNotExist(str(REVISION_MISMATCH))
    snapshot = revision.as_object() if revision is not None else quiz
    raws = mapping.quiz_to_raw(snapshot)
    extension, content_type = FORMATS[fmt]
    if fmt == GIFT:
        content = gift.dump(raws).encode()
    else:
        content = moodle_xml.dump(raws)
    suffix = f"-v{revision.pk}" if revision is not None else ""
    filename = f"lernkontrolle-{quiz.pk}{suffix}.{extension}"
    return filename, content_type, content
