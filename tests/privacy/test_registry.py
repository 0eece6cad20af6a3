"""The privacy registry: every model that points at a person says how it is exported and erased."""

import json
from datetime import datetime

import pytest
from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder

from certificates.models import Certificate
from core import privacy
from tests.privacy.conftest import ESSAY, FEEDBACK, HOLDER_NAME, PERSON
from training.models import Enrollment


def test_every_model_pointing_at_a_user_is_registered():
    # given every installed model, ours and third-party ones
    missing = []
    for model in apps.get_models():
        fields = privacy.user_fields_of(model)
        if not fields:
            continue
        # then each of its foreign keys and many-to-many fields to the user has an entry that
        # accounts for it (a new model, or a new field, fails here until it is registered)
        entry = privacy.entry_for(model)
        covered = set(entry.user_fields) if entry else set()
        missing += [f"{model._meta.label}.{name}" for name in fields if name not in covered]
    assert missing == []


def test_every_entry_states_its_policy_and_erases_or_keeps_deliberately():
    for entry in privacy.entries():
        assert len(entry.policy) > 20, entry.label
        assert entry.export is not None or entry.erase is not None, entry.label


def test_the_registry_catches_a_model_with_an_unregistered_user_field():
    # given the registry without training's Sitting entry
    from training.models import Sitting

    key = (Sitting._meta.app_label, Sitting._meta.model_name)
    saved = privacy._entries.pop(key)
    try:
        # then the check the completeness test runs reports it
        assert privacy.entry_for(Sitting) is None
        assert privacy.user_fields_of(Sitting) == ("user",)
    finally:
        privacy._entries[key] = saved


def test_the_account_row_is_anonymised_last():
    entries = privacy.entries()
    assert entries[-1].model is apps.get_model("auth", "User")
    assert [e.order for e in entries].count(privacy.LAST) == 1


@pytest.mark.django_db
def test_the_download_holds_everything_about_the_person(person, client):
    # given a participant with learning data (tests/privacy/conftest.py)
    client.force_login(person)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.factories import totp_code

    device = TOTPDevice.objects.get(user=person)
    client.post("/konto/zwei-faktor/code/", {"token": totp_code(device)})
    # (the failed login of the fixture came from another address than this session, so the
    # successful login did not clear it)
    # when they download their data from the account page
    page = client.get("/konto/daten/")
    response = client.get("/konto/daten/meine-daten.json")
    # then it is a JSON attachment with profile, enrollments and their history, progress,
    # sittings with answers and the feedback on them, certificates, second factor, failed
    # logins and who looked at their data
    assert "Als JSON-Datei herunterladen (maschinenlesbar)" in page.content.decode()
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="meine-daten-')
    assert "no-store" in response.headers["Cache-Control"]
    data = json.loads(response.content)
    records = data["records"]
    assert data["format"] == "buergerservice-akademie/personenbezogene-daten/1"
    profile = records["auth.user"]["items"][0]
    assert {k: profile[k] for k in PERSON} == PERSON
    assert records["auth.user"]["title"] == "Konto und Profil"
    assert records["training.sitting"]["title"] == "Versuche in Lernkontrollen, mit Ihren Antworten"
    enrollment = records["training.enrollment"]["items"][0]
    assert (enrollment["cohort__name"], enrollment["course__title"]) == (
        "Einwohnerdienste 2026",
        "Experte für digitalen Bürgerservice",
    )
    enrollment_id = Enrollment.objects.get(user=person).pk
    assert [
        (e["enrollment_id"], e["action"]) for e in records["training.enrollmentevent"]["items"]
    ] == [(enrollment_id, "imported")]
    progress = records["training.moduleprogress"]["items"]
    assert progress and all(p["completed_at"] for p in progress)
    sitting = records["training.sitting"]["items"][0]
    assert (sitting["answers"], sitting["score"], sitting["passed"]) == (
        {"essay-1": ESSAY},
        "3.00",
        True,
    )
    mark = records["training.essaymark"]["items"][0]
    assert (mark["feedback"], mark["new_points"], mark["marked_by_name"]) == (
        FEEDBACK,
        "3.00",
        "Regula Meier",
    )
    issued = Certificate.objects.get(enrollment__user=person)
    assert records["certificates.certificate"]["title"] == "Ihre Zertifikate"
    [certificate] = records["certificates.certificate"]["items"]
    assert {k: certificate[k] for k in ("serial", "holder_name", "course_title", "status")} == {
        "serial": issued.serial,
        "holder_name": HOLDER_NAME,
        "course_title": "Experte für digitalen Bürgerservice",
        "status": "valid",
    }
    assert datetime.fromisoformat(certificate["issued_at"]) == issued.issued_at
    assert certificate["verification_code"] == issued.display_code
    assert certificate["verification_url"].endswith(f"/zertifikate/pruefen/{issued.token}/")
    assert certificate["download_url"].endswith(f"/zertifikate/{issued.pk}/pdf/")
    # (the trainer's import that enrolled them lists other people: not part of their data)
    assert "workspace.workspacejob" not in records
    assert records["otp_totp.totpdevice"]["items"][0]["name"] == "Handy von Xaveria"
    assert records["axes.accessattempt"]["items"][0]["failures_since_start"] == 1
    assert records["audit.auditentry"]["items"][0]["actor__username"] == "trainerin"
    # and what Mein Konto listed for them: the certificate issued (an absolute link)
    notices = records["accounts.notification"]["items"]
    assert records["accounts.notification"]["title"] == "Ihre Benachrichtigungen"
    assert any(
        n["kind"] == "certificate_issued"
        and n["text"]
        == f"Ihr Zertifikat {issued.serial} für «Experte für digitalen "
        "Bürgerservice» ist ausgestellt."
        and n["link"].endswith(f"/zertifikate/{issued.pk}/pdf/")
        and n["link"].startswith("http")
        for n in notices
    ), notices
    # and only the person's own rows are in it
    assert json.dumps(data, cls=DjangoJSONEncoder).count("teilnehmer@example.org") == 0


@pytest.mark.django_db
def test_a_person_without_data_gets_just_the_profile(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="leer", email_confirmed=False))
    data = json.loads(client.get("/konto/daten/meine-daten.json").content)
    assert sorted(data["records"]) == ["auth.user"]


def test_the_download_requires_login(client):
    response = client.get("/konto/daten/meine-daten.json")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/konto/anmelden/")
