"""The privacy registry: how each app exports and erases the personal data of its models.

As in Moodle's privacy API, every model that points at a person declares what happens to it:

- ``export(user)`` returns a list of JSON-serialisable dicts: the rows held about the person, as
  they appear in the data download of the account page;
- ``erase(user)`` removes or anonymises them when the account is erased (by the person, by the
  Kursleitung on request, or by the retention task). The account row itself is anonymised in
  place last (``auth.User``'s entry), so rows that are kept, such as enrollments and progress,
  stay as anonymous learning statistics behind an account that names no one.

Each app declares its entries in a ``privacy.py`` module, which this registry imports on first
use (as Wagtail does with ``wagtail_hooks``). ``tests/privacy/test_registry.py`` fails when a model
with a foreign key or many-to-many field to the user model has no entry, so a new model cannot
forget the person's rights.

This module imports no app: apps import it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import models, transaction
from django.utils import translation
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy

Exporter = Callable[[models.Model], list[dict]]
Eraser = Callable[[models.Model], None]


@dataclass(frozen=True)
class Entry:
    model: type[models.Model]
    #: The fields of ``model`` pointing at the user model that this entry accounts for.
    user_fields: tuple[str, ...]
    #: One sentence for the README and the admin: what erasure does to these rows, and why.
    policy: str
    export: Exporter | None = None
    erase: Eraser | None = None
    #: Lower runs first on erasure; the account row itself runs last (``LAST``).
    order: int = 0
    #: User fields whose rows keep an account from the retention task (e.g. an enrollment).
    keeps_account: tuple[str, ...] = ()
    #: What the person sees in the data download (German, translatable); defaults to the
    #: model's plural name.
    title: str = ""

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    @property
    def display_title(self) -> str:
        return str(self.title or self.model._meta.verbose_name_plural)


LAST = 1000
#: What stands where an erased person's name was copied into a row that is kept (the name of
#: a trainer who marked an essay, a person in an import list).
ERASED_PERSON = gettext_lazy("gelöschtes Konto")
_entries: dict[tuple[str, str], Entry] = {}
_discovered = False
_lock = threading.Lock()


def user_fields_of(model: type[models.Model]) -> tuple[str, ...]:
    """Names of ``model``'s own foreign key, one-to-one and many-to-many fields to the user.

    Fields inherited from a concrete parent (a page type's ``owner``) belong to the parent's
    entry; fields from abstract parents and mixins belong to the model."""
    user_label = settings.AUTH_USER_MODEL.lower()
    return tuple(
        field.name
        for field in model._meta.get_fields()
        if (field.many_to_one or field.one_to_one or field.many_to_many)
        and not field.auto_created
        and field.model is model
        and field.related_model is not None
        and field.related_model._meta.label_lower == user_label
    )


def register(
    model: type[models.Model],
    *,
    policy: str,
    export: Exporter | None = None,
    erase: Eraser | None = None,
    user_fields: Iterable[str] | None = None,
    order: int = 0,
    keeps_account: Iterable[str] = (),
    title: str = "",
) -> Entry:
    """Declares how ``model``'s personal data is exported and erased.

    ``user_fields`` defaults to all of the model's fields pointing at the user model; a model
    that holds personal data without such a field (e.g. a username in a text column) registers
    with ``user_fields=()``. Registering a model twice replaces its entry (last one wins), so a
    later app can refine a third-party model's entry. ``keeps_account`` names user fields whose
    rows exempt the account from the retention task's anonymisation.
    """
    fields = tuple(user_fields) if user_fields is not None else user_fields_of(model)
    entry = Entry(
        model=model,
        user_fields=fields,
        policy=policy,
        export=export,
        erase=erase,
        order=order,
        keeps_account=tuple(keeps_account),
        title=title,
    )
    _entries[(model._meta.app_label, model._meta.model_name)] = entry
    return entry


def entries() -> list[Entry]:
    """All entries, in erasure order."""
    autodiscover()
    return sorted(_entries.values(), key=lambda entry: (entry.order, entry.label))


def entry_for(model: type[models.Model]) -> Entry | None:
    autodiscover()
    return _entries.get((model._meta.app_label, model._meta.model_name))


def autodiscover() -> None:
    global _discovered
    if _discovered:
        return
    with _lock:
        if not _discovered:
            autodiscover_modules("privacy")
            _discovered = True


def export_all(user) -> dict[str, dict]:
    """Everything the registry holds about ``user``: ``{model label: {"title", "items"}}``.

    Models without rows for the person are left out."""
    data = {}
    for entry in entries():
        if entry.export is None:
            continue
        items = entry.export(user)
        if items:
            data[entry.label] = {"title": entry.display_title, "items": items}
    return data


def erase_all(user) -> None:
    """Runs every entry's eraser for ``user`` (the caller holds the transaction)."""
    for entry in entries():
        if entry.erase is not None:
            entry.erase(user)


# --- Building blocks for entries -------------------------------------------------------------


def rows(lookup: str, fields: Iterable[str], *, queryset=None, model=None) -> Exporter:
    """Exports ``fields`` (``values()`` names, lookups allowed) of the rows where
    ``lookup == user``."""
    fields = list(fields)

    def export(user) -> list[dict]:
        qs = queryset() if queryset is not None else model._default_manager.all()
        return list(qs.filter(**{lookup: user}).order_by("pk").values(*fields))

    return export


def delete_rows(model: type[models.Model], lookup: str) -> Eraser:
    def erase(user) -> None:
        model._default_manager.filter(**{lookup: user}).delete()

    return erase


def detach(model: type[models.Model], field: str) -> Eraser:
    """Keeps the rows but removes the link to the person (the field must be nullable)."""

    def erase(user) -> None:
        model._default_manager.filter(**{field: user}).update(**{field: None})

    return erase


def erased_person_label() -> str:
    """``ERASED_PERSON`` in the site's language: stored rows do not depend on the language of
    whoever triggered the erasure."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(ERASED_PERSON)


def delete_file_on_commit(field_file) -> None:
    """Deletes a stored file once the erasure commits (a rollback keeps row and file)."""
    if field_file:
        storage, name = field_file.storage, field_file.name
        transaction.on_commit(lambda: storage.delete(name))


def keep(user) -> None:
    """Nothing to do: the rows stay and point at the account, which is anonymised in place."""


def combine(*erasers: Eraser) -> Eraser:
    def erase(user) -> None:
        for eraser in erasers:
            eraser(user)

    return erase
