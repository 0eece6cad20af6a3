import ast
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

# Directories that hold no user-facing strings; `makemessages` skips them (and `.venv`, as any
# directory starting with a dot). Update the English catalog with:
#   DJANGO_DEBUG=1 .venv/bin/python manage.py makemessages -l en --no-obsolete \
#       --ignore var --ignore node_modules --ignore bench --ignore tests
NOT_TRANSLATED = ("var", "node_modules", "bench", "tests")
ENGLISH_PO = Path("locale", "en", "LC_MESSAGES", "django.po")


def test_pages_are_german_whatever_the_browser_asks(demo, client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "de"
    assert '<html lang="de">' in response.content.decode()


def test_the_language_switcher_sets_english(demo, client):
    # when a person chooses English in the footer
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    # then the following pages are English
    response = client.get("/")
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in response.content.decode()


def test_a_participant_who_chose_english_reads_english(demo, client):
    client.force_login(demo["participant"])
    german = client.get(reverse("training:dashboard")).content.decode()
    assert "Mein Lernstand" in german
    assert "Gesamtfortschritt" in german

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get(reverse("training:dashboard")).content.decode()
    for text in ("My progress", "Overall progress", "Learning areas", "My account", "Log out"):
        assert text in english
    for text in ("Mein Lernstand", "Gesamtfortschritt", "Lernbereiche", "Mein Konto", "Abmelden"):
        assert text not in english


# --- The English catalog is complete -------------------------------------------------------
# `makemessages` runs on a copy of the project, so the working tree stays as it is: what it
# finds in the code now must all have an English translation in the committed catalog.


@pytest.fixture(scope="module")
def fresh_english_catalog(tmp_path_factory):
    """The English .po as `makemessages` updates it from the code as it is now."""
    copy = tmp_path_factory.mktemp("makemessages") / "project"
    shutil.copytree(
        settings.BASE_DIR,
        copy,
        symlinks=True,
        ignore=shutil.ignore_patterns(".*", "__pycache__", "*.pyc", "*.mo", *NOT_TRANSLATED),
    )
    cwd = os.getcwd()
    os.chdir(copy)
    try:
        with override_settings(LOCALE_PATHS=[str(copy / "locale")]):
            call_command(
                "makemessages",
                locale=["en"],
                ignore_patterns=list(NOT_TRANSLATED),
                no_obsolete=True,
                verbosity=0,
            )
    finally:
        os.chdir(cwd)
    return copy / ENGLISH_PO


def test_every_german_string_has_an_english_translation(fresh_english_catalog):
    entries = [entry for entry in _po_entries(fresh_english_catalog) if entry["msgid"]]
    assert len(entries) > 100  # the walk found the apps' code and templates

    untranslated = [entry["msgid"] for entry in entries if not all(_translations(entry))]
    fuzzy = [entry["msgid"] for entry in entries if "fuzzy" in entry["flags"]]
    problems = []
    if untranslated:
        problems.append(_listing("without an English translation", untranslated))
    if fuzzy:
        problems.append(_listing("marked fuzzy (check the translation, drop the flag)", fuzzy))
    assert not problems, "\n".join(problems)


def test_english_translations_keep_the_placeholders(fresh_english_catalog):
    wrong = []
    for entry in _po_entries(fresh_english_catalog):
        if "python-format" not in entry["flags"] or not entry["msgid"]:
            continue
        sources = [entry["msgid"]] + [entry.get("msgid_plural", entry["msgid"])] * 9
        for source, translation in zip(sources, _translations(entry), strict=False):
            if translation and _placeholders(source) != _placeholders(translation):
                wrong.append(f"{source!r} -> {translation!r}")
    assert not wrong, _listing("with other placeholders than the German", wrong)


def test_the_english_catalog_compiles(fresh_english_catalog, tmp_path):
    header = _po_entries(fresh_english_catalog)[0]
    assert header["msgid"] == "" and "fuzzy" not in header["flags"]
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "django.mo"), str(fresh_english_catalog)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def _po_entries(path):
    """The entries of a GNU gettext .po file, each a dict of its keywords (msgid, msgid_plural,
    msgstr, msgstr[0], …) with their unescaped text, and its flags. Obsolete entries are left
    out."""
    entries, entry, keyword = [], None, None
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            entry = None
            continue
        if entry is None:
            entry = {"flags": set()}
            entries.append(entry)
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue  # comments, references, previous msgids, obsolete entries
        elif line.startswith('"'):
            entry[keyword] += ast.literal_eval(line)
        else:
            keyword, text = line.split(" ", 1)
            entry[keyword] = ast.literal_eval(text)
    return [entry for entry in entries if "msgid" in entry]


def _translations(entry):
    return [text for keyword, text in sorted(entry.items()) if keyword.startswith("msgstr")]


def _placeholders(text):
    return sorted(re.findall(r"%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]", text))


def _listing(problem, items):
    shown = "\n".join(f"  {item!r}" for item in items[:40])
    more = f"\n  … and {len(items) - 40} more" if len(items) > 40 else ""
    return (
        f"{len(items)} string(s) in {ENGLISH_PO} {problem}:\n{shown}{more}\n"
        "Update the catalog with `makemessages` (see the top of tests/test_language.py), "
        "translate, then run `make messages`.\n"
    )
