"""Participant import from a CSV or XLSX file: read it and check every row (the preview).
Writing a checked import is workspace.enrolling's; running it as a job workspace.services'.

Columns (German or English headings, any order): Vorname, Nachname, E-Mail,
Organisationseinheit, Kursdurchführung. A row whose person is already enrolled in the cohort is
skipped, so importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections import defaultdict
from dataclasses import asdict, dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy

from training.access import cohorts_for
from training.models import Cohort, Enrollment

IMPORT_MAX_ROWS = 5000
IMPORT_MAX_BYTES = 5 * 1024 * 1024
EXTENSIONS = (".csv", ".xlsx")

# File-level errors: nothing can be checked row by row.
IMPORT_FILE_TYPE = gettext_lazy("Bitte laden Sie eine CSV- oder XLSX-Datei hoch.")
IMPORT_FILE_TOO_BIG = gettext_lazy("Die Datei ist grösser als 5 MB; bitte teilen Sie sie auf.")
IMPORT_FILE_UNREADABLE = gettext_lazy(
    "Die Datei konnte nicht gelesen werden. Bitte speichern Sie sie als CSV (UTF-8) oder XLSX."
)
IMPORT_FILE_EMPTY = gettext_lazy("Die Datei enthält keine Zeilen mit Teilnehmenden.")
IMPORT_FILE_TOO_LONG = gettext_lazy(
    "Die Datei hat mehr als %(max)s Zeilen; bitte teilen Sie sie auf."
)
IMPORT_COLUMN_MISSING = gettext_lazy(
    "Die Datei hat keine Spalte «%(column)s». Erwartet werden die Spalten Vorname, Nachname, "
    "E-Mail, Organisationseinheit und Kursdurchführung (in der ersten Zeile)."
)
# Whole-import outcomes.
IMPORT_HAS_PROBLEMS = gettext_lazy(
    "Die Datei hat Zeilen mit Problemen. Bitte korrigieren Sie die Datei und laden Sie sie erneut "
    "hoch; es wurde nichts importiert."
)
IMPORT_NOTHING_TO_DO = gettext_lazy(
    "Alle Personen der Datei sind bereits eingeschrieben; es gibt nichts zu importieren."
)
IMPORT_CHANGED = gettext_lazy(
    "Seit der Vorschau haben sich Einschreibungen geändert (%(details)s). Es wurde nichts "
    "importiert; bitte laden Sie die Datei erneut hoch."
)

# Row problems (block the import) and notes (the row is skipped), by code, so a stored preview
# is shown in the reader's language.
ROW_MESSAGES = {
    "email_missing": gettext_lazy("E-Mail-Adresse fehlt."),
    "email_invalid": gettext_lazy("E-Mail-Adresse «%(email)s» ist ungültig."),
    "email_unusable": gettext_lazy("E-Mail-Adresse «%(email)s» taugt nicht als Benutzername."),
    "duplicate": gettext_lazy("E-Mail-Adresse steht schon in Zeile %(line)s."),
    "email_ambiguous": gettext_lazy("Mehrere Konten haben diese E-Mail-Adresse."),
    "cohort_missing": gettext_lazy("Kursdurchführung fehlt."),
    "cohort_unknown": gettext_lazy("Kursdurchführung «%(name)s» ist unbekannt."),
    "cohort_ambiguous": gettext_lazy(
        "Es gibt mehrere Kursdurchführungen namens «%(name)s»; bitte einzeln einschreiben."
    ),
    "name_missing": gettext_lazy("Vor- und Nachname sind für ein neues Konto nötig."),
    "too_long": gettext_lazy("«%(column)s» ist länger als %(max)s Zeichen."),
    # Names no other cohort: a trainer does not learn where someone else is enrolled.
    "enrolled_elsewhere": gettext_lazy(
        "Kann hier nicht eingeschrieben werden; bitte wenden Sie sich an die Kursleitung."
    ),
    "email_unconfirmed": gettext_lazy(
        "Abgelehnt: Das Konto mit dieser E-Mail-Adresse hat die Adresse nicht bestätigt; die "
        "Zeile wird übersprungen."
    ),
    "already_enrolled": gettext_lazy("Bereits eingeschrieben; die Zeile wird übersprungen."),
    "unenrolled": gettext_lazy(
        "Wurde ausgetragen und wird nicht wieder eingeschrieben (bitte einzeln einschreiben)."
    ),
}


class ImportRejected(Exception):
    """Nothing was written; the message says why (German)."""


class ImportFileError(Exception):
    """The file as a whole cannot be imported; the message says why (German)."""


COLUMNS = ("first_name", "last_name", "email", "unit", "cohort")
COLUMN_TITLES = {
    "first_name": gettext_lazy("Vorname"),
    "last_name": gettext_lazy("Nachname"),
    "email": gettext_lazy("E-Mail"),
    "unit": gettext_lazy("Organisationseinheit"),
    "cohort": gettext_lazy("Kursdurchführung"),
}
HEADER_ALIASES = {
    "first_name": {"vorname", "firstname", "givenname", "prenom", "prénom"},
    "last_name": {"nachname", "lastname", "familienname", "surname", "name", "nom"},
    "email": {"email", "emailadresse", "mail", "e-mail", "emailaddress", "courriel"},
    "unit": {
        "organisationseinheit",
        "organisationunit",
        "organizationunit",
        "einheit",
        "abteilung",
        "dienststelle",
        "amt",
        "unit",
    },
    "cohort": {"kursdurchführung", "kursdurchfuehrung", "kohorte", "cohort", "gruppe", "kurs"},
}
MAX_LENGTHS = {"first_name": 150, "last_name": 150, "email": 254, "unit": 200}


@dataclass
class RowResult:
    line: int
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    unit: str = ""
    cohort: str = ""
    cohort_id: int | None = None
    user_id: int | None = None
    action: str = "error"  # "create" (new account), "enroll" (existing account), "skip", "error"
    problems: list[dict] = field(default_factory=list)
    notes: list[dict] = field(default_factory=list)

    def problem(self, code, **params):
        self.problems.append({"code": code, "params": params})

    def note(self, code, **params):
        self.notes.append({"code": code, "params": params})


def row_message(entry: dict) -> str:
    return str(ROW_MESSAGES[entry["code"]]) % entry["params"]


@dataclass
class Preview:
    rows: list[RowResult]

    @property
    def errors(self) -> int:
        return sum(1 for r in self.rows if r.problems)

    @property
    def to_import(self) -> int:
        return sum(1 for r in self.rows if r.action in ("create", "enroll"))

    @property
    def skipped(self) -> int:
        return sum(1 for r in self.rows if r.action == "skip")

    @property
    def can_import(self) -> bool:
        return not self.errors and self.to_import > 0

    def as_json(self) -> dict:
        return {
            "rows": [asdict(r) for r in self.rows],
            "errors": self.errors,
            "to_import": self.to_import,
            "new_accounts": sum(1 for r in self.rows if r.action == "create"),
            "skipped": self.skipped,
        }


# --- Reading --------------------------------------------------------------------------------


def read_table(content: bytes, filename: str) -> list[dict]:
    """The data rows of the file as dicts by column key (with "line": the line in the file)."""
    name = filename.lower()
    if not name.endswith(EXTENSIONS):
        raise ImportFileError(IMPORT_FILE_TYPE)
    if len(content) > IMPORT_MAX_BYTES:
        raise ImportFileError(IMPORT_FILE_TOO_BIG)
    table = _read_xlsx(content) if name.endswith(".xlsx") else _read_csv(content)
    header_index = next((i for i, row in enumerate(table) if any(_clean(v) for v in row)), None)
    if header_index is None:
        raise ImportFileError(IMPORT_FILE_EMPTY)
    columns = _columns(table[header_index])
    rows = []
    for offset, values in enumerate(table[header_index + 1 :], start=header_index + 2):
        if not any(_clean(v) for v in values):
            continue
        row = {"line": offset}
        for key, index in columns.items():
            row[key] = _clean(values[index]) if index < len(values) else ""
        rows.append(row)
        if len(rows) > IMPORT_MAX_ROWS:
            raise ImportFileError(str(IMPORT_FILE_TOO_LONG) % {"max": IMPORT_MAX_ROWS})
    if not rows:
        raise ImportFileError(IMPORT_FILE_EMPTY)
    return rows


def _read_csv(content: bytes) -> list[list]:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes nearly everything
        raise ImportFileError(IMPORT_FILE_UNREADABLE)
    if "\x00" in text:
        raise ImportFileError(IMPORT_FILE_UNREADABLE)
    first_line = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first_line.count)
    try:
        return list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:
        raise ImportFileError(IMPORT_FILE_UNREADABLE) from exc


def _read_xlsx(content: bytes) -> list[list]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ImportFileError(IMPORT_FILE_UNREADABLE) from exc
    try:
        sheet = workbook.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _clean(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _normalise_heading(value) -> str:
    text = _clean(value).casefold()
    for char in " -_.:":
        text = text.replace(char, "")
    return text


def _columns(header: list) -> dict[str, int]:
    columns = {}
    aliases = {key: {a.replace("-", "") for a in names} for key, names in HEADER_ALIASES.items()}
    for index, value in enumerate(header):
        heading = _normalise_heading(value)
        for key, names in aliases.items():
            if heading in names and key not in columns:
                columns[key] = index
    if "email" not in columns:
        raise ImportFileError(str(IMPORT_COLUMN_MISSING) % {"column": COLUMN_TITLES["email"]})
    return columns


# --- Checking -------------------------------------------------------------------------------


def check_rows(rows: list[dict], *, default_cohort: Cohort, actor) -> Preview:
    """Checks every row against the database without writing (a fixed number of queries)."""
    User = get_user_model()
    cohorts_by_name = defaultdict(list)
    for cohort in cohorts_for(actor).only("pk", "name", "course_id", "organisation"):
        cohorts_by_name[cohort.name.casefold()].append(cohort)

    results = []
    first_line_of = {}
    for raw in rows:
        result = RowResult(
            line=raw["line"],
            first_name=raw.get("first_name", ""),
            last_name=raw.get("last_name", ""),
            email=raw.get("email", "").lower(),
            unit=raw.get("unit", ""),
            cohort=raw.get("cohort", ""),
        )
        for column, limit in MAX_LENGTHS.items():
            if len(getattr(result, column)) > limit:
                result.problem("too_long", column=str(COLUMN_TITLES[column]), max=limit)
        if not result.email:
            result.problem("email_missing")
        else:
            try:
                validate_email(result.email)
            except ValidationError:
                result.problem("email_invalid", email=result.email)
            if result.email in first_line_of:
                result.problem("duplicate", line=first_line_of[result.email])
            else:
                first_line_of[result.email] = result.line
        if result.cohort:
            matches = cohorts_by_name.get(result.cohort.casefold(), [])
            if not matches:
                result.problem("cohort_unknown", name=result.cohort)
            elif len(matches) > 1:
                result.problem("cohort_ambiguous", name=result.cohort)
            else:
                result.cohort_id = matches[0].pk
        else:
            result.cohort_id = default_cohort.pk
            result.cohort = default_cohort.name
        results.append(result)

    cohorts = {c.pk: c for group in cohorts_by_name.values() for c in group}
    cohorts.setdefault(default_cohort.pk, default_cohort)
    emails = {r.email for r in results if r.email}
    users_by_email = defaultdict(set)
    for user_id, email, username in (
        User.objects.annotate(email_key=Lower("email"), username_key=Lower("username"))
        .filter(Q(email_key__in=emails) | Q(username_key__in=emails))
        .values_list("pk", "email", "username")
    ):
        for key in {email.lower(), username.lower()} & emails:
            users_by_email[key].add(user_id)
    user_ids = {uid for ids in users_by_email.values() for uid in ids}
    enrollments = {
        (e.user_id, e.course_id): e
        for e in Enrollment.objects.filter(user_id__in=user_ids).select_related("cohort")
    }
    username_field = User._meta.get_field(User.USERNAME_FIELD)
    from training.services import attachable

    attachable_ids = {
        user.pk
        for user in User.objects.filter(pk__in=user_ids)
        if any(attachable(user, e) for e, ids in users_by_email.items() if user.pk in ids)
    }

    for result in results:
        users = users_by_email.get(result.email, set())
        cohort = cohorts.get(result.cohort_id)
        if len(users) > 1:
            result.problem("email_ambiguous")
        elif users and next(iter(users)) not in attachable_ids:
            result.note("email_unconfirmed")
        elif users:
            result.user_id = next(iter(users))
            enrollment = cohort and enrollments.get((result.user_id, cohort.course_id))
            if enrollment and enrollment.cohort_id == cohort.pk:
                if enrollment.unenrolled_at:
                    result.note("unenrolled")
                else:
                    result.note("already_enrolled")
            elif enrollment:
                result.problem("enrolled_elsewhere")
        elif result.email:
            if not (result.first_name and result.last_name):
                result.problem("name_missing")
            try:
                username_field.run_validators(result.email)
            except ValidationError:
                if not any(p["code"] == "email_invalid" for p in result.problems):
                    result.problem("email_unusable", email=result.email)
        if result.problems:
            result.action = "error"
        elif result.notes:
            result.action = "skip"
        else:
            result.action = "enroll" if result.user_id else "create"
    return Preview(rows=results)


def preview_from_json(data: dict) -> Preview:
    return Preview(rows=[RowResult(**row) for row in data.get("rows", [])])
