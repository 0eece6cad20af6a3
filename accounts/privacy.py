"""Privacy entries for the account itself and for third-party models that point at a person
(Django auth, django-otp, django-axes, Wagtail). Each entry states what erasure does and why."""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.admin.models import EditingSession, FormState
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import (
    Comment,
    CommentReply,
    ModelLogEntry,
    Page,
    PageLogEntry,
    PageSubscription,
    Revision,
    TaskState,
    UploadedFile,
    WorkflowState,
)
from wagtail.models.api import APIToken
from wagtail.users.models import UserProfile

from accounts.models import AccountEmail, ExternalIdentity, Notification, Profile
from accounts.notifications import export_notifications
from accounts.services import anonymise_account
from core import privacy

User = get_user_model()


def _profile(user) -> list[dict]:
    return [
        {
            "username": user.username,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "is_active": user.is_active,
            "groups": sorted(user.groups.values_list("name", flat=True)),
        }
    ]


privacy.register(
    User,
    title=_("Konto und Profil"),
    user_fields=(),
    policy=(
        "Das Konto bleibt als anonymer Platzhalter (neuer Zufallsname, ohne Name, E-Mail und "
        "Passwort, deaktiviert), damit Lernstatistiken ohne Personenbezug erhalten bleiben."
    ),
    export=_profile,
    erase=anonymise_account,
    order=privacy.LAST,
)

# --- Security: second factor and login attempts ----------------------------------------------

privacy.register(
    TOTPDevice,
    title=_("Zwei-Faktor-Anmeldung"),
    policy="Gelöscht: Die Zwei-Faktor-Anmeldung gehört zum Konto.",
    export=privacy.rows(
        "user", ["name", "confirmed", "created_at", "last_used_at"], model=TOTPDevice
    ),
    erase=privacy.delete_rows(TOTPDevice, "user"),
)


def _by_username(model, fields):
    def export(user):
        return list(model.objects.filter(username=user.username).order_by("pk").values(*fields))

    def erase(user):
        model.objects.filter(username=user.username).delete()

    return export, erase


for _model, _title, _fields in (
    (
        AccessAttempt,
        _("Fehlgeschlagene Anmeldeversuche"),
        ["attempt_time", "ip_address", "user_agent", "failures_since_start"],
    ),
    (
        AccessFailureLog,
        _("Protokoll fehlgeschlagener Anmeldungen"),
        ["attempt_time", "ip_address", "user_agent", "locked_out"],
    ),
    (
        AccessLog,
        _("Anmeldeprotokoll"),
        ["attempt_time", "logout_time", "ip_address", "user_agent"],
    ),
):
    _export, _erase = _by_username(_model, _fields)
    privacy.register(
        _model,
        title=_title,
        user_fields=(),
        policy="Gelöscht: Anmeldeversuche nach Benutzername (Schutz vor Passwort-Raten).",
        export=_export,
        erase=_erase,
    )

privacy.register(
    ExternalIdentity,
    title=_("Anmeldungen über Ihre Organisation"),
    policy=(
        "Gelöscht: die Verknüpfung mit dem Konto beim Anmeldedienst der Organisation; eine "
        "spätere Anmeldung dort legt ein neues, leeres Konto an."
    ),
    export=privacy.rows(
        "user",
        ["provider", "subject", "organisation_unit", "groups", "created_at", "last_login_at"],
        model=ExternalIdentity,
    ),
    erase=privacy.delete_rows(ExternalIdentity, "user"),
)

# --- Wagtail: editors' traces ----------------------------------------------------------------


def _unlock_pages(user) -> None:
    Page.objects.filter(locked_by=user).update(locked=False, locked_by=None, locked_at=None)


privacy.register(
    Page,
    title=_("Seiten, die Sie angelegt haben"),
    policy=(
        "Seiten bleiben (Kursinhalt); von der Person gesperrte Seiten werden entsperrt, als "
        "Besitzer:in steht danach das anonymisierte Konto."
    ),
    export=privacy.rows("owner", ["id", "title", "first_published_at"], model=Page),
    erase=_unlock_pages,
)
privacy.register(
    Revision,
    title=_("Ihre Versionen von Inhalten"),
    policy="Bleiben: Versionsgeschichte des Kursinhalts, dem anonymisierten Konto zugeordnet.",
    export=privacy.rows("user", ["created_at", "object_str"], model=Revision),
    erase=privacy.keep,
)


def _erase_log_entries(user) -> None:
    # Entries recording changes to this account itself carry its name in their label.
    ModelLogEntry.objects.filter(
        content_type__app_label=User._meta.app_label,
        content_type__model=User._meta.model_name,
        object_id=str(user.pk),
    ).delete()


privacy.register(
    AccountEmail,
    title=_("Bestätigung Ihrer E-Mail-Adresse"),
    policy="Gelöscht: ob und wann die E-Mail-Adresse bestätigt wurde, entfernte Doppeladresse.",
    export=privacy.rows("user", ["confirmed_at", "displaced_email"], model=AccountEmail),
    erase=privacy.delete_rows(AccountEmail, "user"),
)
privacy.register(
    Profile,
    title=_("Bezeichnung auf dem Zertifikat"),
    policy="Gelöscht: die gewählte Form der Bezeichnung (ausgestellte Zertifikate bleiben).",
    export=privacy.rows("user", ["qualification_form"], model=Profile),
    erase=privacy.delete_rows(Profile, "user"),
)
privacy.register(
    Notification,
    title=_("Ihre Benachrichtigungen"),
    policy="Gelöscht: die Liste der Ereignisse in «Mein Konto».",
    export=export_notifications,
    erase=privacy.delete_rows(Notification, "user"),
)
privacy.register(
    ModelLogEntry,
    title=_("Ihre Aktionen im Redaktionsbereich"),
    policy=(
        "Einträge über Änderungen am Konto selbst werden gelöscht; Einträge über das Handeln "
        "der Person als Redakteur:in bleiben beim anonymisierten Konto."
    ),
    export=privacy.rows("user", ["timestamp", "action", "label"], model=ModelLogEntry),
    erase=_erase_log_entries,
)
privacy.register(
    PageLogEntry,
    title=_("Ihre Aktionen an Seiten"),
    policy="Bleiben: Redaktionsgeschichte der Seiten, dem anonymisierten Konto zugeordnet.",
    export=privacy.rows("user", ["timestamp", "action", "label"], model=PageLogEntry),
    erase=privacy.keep,
)
privacy.register(
    Comment,
    title=_("Ihre Kommentare zu Seiten"),
    policy="Bleiben: redaktionelle Kommentare zu Seiten, dem anonymisierten Konto zugeordnet.",
    export=privacy.rows("user", ["created_at", "text", "contentpath"], model=Comment),
    erase=privacy.keep,
)
privacy.register(
    CommentReply,
    title=_("Ihre Antworten auf Kommentare"),
    policy="Bleiben: Antworten auf redaktionelle Kommentare, dem anonymisierten Konto zugeordnet.",
    export=privacy.rows("user", ["created_at", "text"], model=CommentReply),
    erase=privacy.keep,
)
privacy.register(
    PageSubscription,
    title=_("Benachrichtigungen zu Seiten"),
    policy="Gelöscht: Benachrichtigungs-Abonnements.",
    export=privacy.rows("user", ["page__title", "comment_notifications"], model=PageSubscription),
    erase=privacy.delete_rows(PageSubscription, "user"),
)
privacy.register(
    WorkflowState,
    title=_("Von Ihnen eingereichte Freigaben"),
    policy="Bleiben: Freigabeverlauf des Kursinhalts, dem anonymisierten Konto zugeordnet.",
    export=privacy.rows("requested_by", ["created_at", "status"], model=WorkflowState),
    erase=privacy.keep,
)
privacy.register(
    TaskState,
    title=_("Von Ihnen erledigte Freigabeschritte"),
    policy="Bleiben: Freigabeverlauf des Kursinhalts, dem anonymisierten Konto zugeordnet.",
    export=privacy.rows("finished_by", ["started_at", "finished_at", "status"], model=TaskState),
    erase=privacy.keep,
)
for _model, _lookup, _fields, _title in (
    (EditingSession, "user", ["last_seen_at"], _("Bearbeitungssitzungen")),
    (FormState, "user", ["last_updated_at"], _("Zwischengespeicherte Vorschau-Formulare")),
    (APIToken, "user", ["name", "created", "last_used_at"], _("API-Zugangsschlüssel")),
    (UploadedFile, "uploaded_by_user", ["file"], _("Unvollständige Uploads")),
):
    privacy.register(
        _model,
        title=_title,
        policy="Gelöscht: kurzlebige oder technische Daten der Person im Redaktionsbereich.",
        export=privacy.rows(_lookup, _fields, model=_model),
        erase=privacy.delete_rows(_model, _lookup),
    )


def _erase_profile(user) -> None:
    for profile in UserProfile.objects.filter(user=user):
        if profile.avatar:
            profile.avatar.delete(save=False)
        profile.delete()


privacy.register(
    UserProfile,
    title=_("Einstellungen im Redaktionsbereich"),
    policy="Gelöscht: Einstellungen und Profilbild im Redaktionsbereich.",
    export=privacy.rows(
        "user", ["preferred_language", "current_time_zone", "avatar"], model=UserProfile
    ),
    erase=_erase_profile,
)
for _model, _title in (
    (get_image_model(), _("Von Ihnen hochgeladene Bilder")),
    (get_document_model(), _("Von Ihnen hochgeladene Dokumente")),
):
    privacy.register(
        _model,
        title=_title,
        policy="Bleiben (Kursinhalt); der Bezug zur hochladenden Person wird entfernt.",
        export=privacy.rows("uploaded_by_user", ["title", "created_at"], model=_model),
        erase=privacy.detach(_model, "uploaded_by_user"),
    )
