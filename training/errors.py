"""Errors of training's services, each with the German message shown to the person and the HTTP
status a view answers with. Messages are module constants so tests can reuse them."""

from django.utils.translation import gettext_lazy as _

MODULE_NOT_FOUND = _("Dieses Modul gibt es nicht oder es ist nicht veröffentlicht.")
NOT_ENROLLED = _("Sie sind in diesem Kurs nicht eingeschrieben.")
ENROLLMENT_ENDED = _(
    "Sie sind aus diesem Kurs ausgetragen. Sie können deshalb nicht weiterlernen; es wurde "
    "nichts gespeichert. Bitte wenden Sie sich an Ihre Kursleitung, wenn Sie wieder "
    "eingeschrieben werden möchten."
)
QUIZ_UNAVAILABLE = _("Zu diesem Modul gibt es zurzeit keine Lernkontrolle.")
NO_ATTEMPTS_LEFT = _("Sie haben alle erlaubten Versuche für diese Lernkontrolle genutzt.")
START_CONFLICT = _(
    "Der Versuch konnte nicht gestartet werden, weil gleichzeitig ein anderer gestartet wurde. "
    "Bitte versuchen Sie es noch einmal."
)
SITTING_NOT_FOUND = _("Diesen Versuch gibt es nicht.")
NOT_YOUR_SITTING = _("Dieser Versuch gehört zu einem anderen Konto.")
SITTING_FINISHED = _(
    "Dieser Versuch ist bereits abgeschlossen. Die Antwort wurde nicht mehr gespeichert."
)
SITTING_NOT_FINISHED = _("Dieser Versuch ist noch nicht abgeschlossen.")
ALREADY_ANSWERED = _(
    "Diese Frage haben Sie bereits beantwortet. Es zählt Ihre erste Antwort; "
    "die neue Antwort wurde nicht gespeichert."
)
QUESTION_NOT_IN_SITTING = _("Diese Frage gehört nicht zu Ihrem Versuch.")
UNKNOWN_ANSWER = _("Diese Antwort gibt es bei dieser Frage nicht.")
MISSING_ANSWER = _("Bitte beantworten Sie die Frage, bevor Sie fortfahren.")
TOO_MANY_ANSWERS = _("Bei dieser Frage ist genau eine Antwort möglich.")
ANSWER_TOO_LONG = _("Ihre Antwort ist zu lang. Bitte kürzen Sie sie auf höchstens 10 000 Zeichen.")
ANSWERS_INCOMPLETE = _("Bitte beantworten Sie alle Fragen. Die markierten Fragen fehlen noch.")
MALFORMED_FORM = _(
    "Das Formular war unvollständig oder ungültig. Es wurde nichts gespeichert. "
    "Bitte öffnen Sie die Lernkontrolle erneut."
)
STALE_FORM = _(
    "Diese Seite war nicht mehr aktuell, zum Beispiel nach der Zurück-Taste oder in einem "
    "zweiten Fenster. Die Antwort wurde nicht gespeichert, damit sie keine spätere Antwort "
    "überschreibt. Bitte fahren Sie mit der aktuellen Frage fort."
)
TIME_UP = _(
    "Die Bearbeitungszeit ist abgelaufen. Diese Antwort wurde nicht mehr gespeichert; der "
    "Versuch wurde mit den bis dahin gegebenen Antworten abgeschlossen."
)
NOT_ALLOWED_TO_MARK = _("Sie dürfen Freitextantworten nicht bewerten.")
ESSAY_NOT_IN_SITTING = _("Zu dieser Frage gibt es in diesem Versuch keine Freitextantwort.")
POINTS_OUT_OF_RANGE = _("Die Punktzahl muss zwischen 0 und %(max)s liegen.")
POINTS_INVALID = _("Bitte geben Sie die Punktzahl als Zahl ein, zum Beispiel 3 oder 2,5.")
ANSWERS_DISCARDED = _("Die Antworten dieses Versuchs wurden nicht aufbewahrt.")
EXAM_NOT_OFFERED = _("Zu diesem Kurs gibt es keine Abschlussprüfung.")
EXAM_LOCKED = _(
    "Die Abschlussprüfung wird freigeschaltet, sobald Sie alle Pflichtmodule abgeschlossen "
    "haben. Es wurde kein Versuch begonnen."
)
EXAM_ALREADY_PASSED = _(
    "Sie haben die Abschlussprüfung bereits bestanden. Ein weiterer Versuch ist nicht nötig."
)


class TrainingError(Exception):
    """A request that training refuses; nothing was written."""

    status = 400

    def __init__(self, message, *, errors: dict | None = None):
        super().__init__(str(message))
        self.message = message
        self.errors = errors or {}


class NotFoundError(TrainingError):
    status = 404


class PermissionDeniedError(TrainingError):
    status = 403


class TimeLimitExceeded(TrainingError):
    """The time was up: the answer was refused and the attempt has been closed (and committed)."""
