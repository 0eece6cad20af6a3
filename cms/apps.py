from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Kursinhalte")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        user_logged_in.connect(remember_editor, dispatch_uid="cms.remember_editor")
        connect_tree_changes()


def connect_tree_changes():
    """A new tree version (``cms.tree_cache``) whenever what the memo holds may have changed:
    any page saved or deleted (publishing, unpublishing and editing save the page; Wagtail
    updates descendants' URL paths inside the parent's save), a move (which rewrites paths
    without saving the descendants), a site, a view restriction or a glossary term saved or
    deleted."""
    from django.db.models.signals import m2m_changed, post_delete, post_save
    from wagtail.models import Page, PageViewRestriction, Site
    from wagtail.signals import page_published, page_unpublished, post_page_move

    from cms.models import GlossaryTerm
    from cms.tree_cache import tree_changed

    def page_saved_or_deleted(sender, instance, **kwargs):
        if isinstance(instance, Page):
            tree_changed()

    post_save.connect(page_saved_or_deleted, dispatch_uid="cms.tree.page_saved", weak=False)
    post_delete.connect(page_saved_or_deleted, dispatch_uid="cms.tree.page_deleted", weak=False)
    for signal, name in [
        (page_published, "published"),
        (page_unpublished, "unpublished"),
        (post_page_move, "moved"),
    ]:
        signal.connect(tree_changed, dispatch_uid=f"cms.tree.{name}", weak=False)
    # The glossary's terms are memoised with the tree (cms.glossary).
    for model in (Site, PageViewRestriction, GlossaryTerm):
        for signal in (post_save, post_delete):
            signal.connect(
                tree_changed,
                sender=model,
                dispatch_uid=f"cms.tree.{model.__name__}.{signal is post_save}",
                weak=False,
            )
    from cms.glossary import glossary_changed
    from cms.models import GlossaryPage

    for model in (GlossaryTerm, GlossaryPage):
        for signal in (post_save, post_delete):
            signal.connect(
                glossary_changed,
                sender=model,
                dispatch_uid=f"cms.glossary.{model.__name__}.{signal is post_save}",
                weak=False,
            )
    m2m_changed.connect(
        tree_changed,
        sender=PageViewRestriction.groups.through,
        dispatch_uid="cms.tree.restriction_groups",
        weak=False,
    )


def remember_editor(sender, request, user, **kwargs):
    """Notes at login whether the person edits pages, so page templates show Wagtail's userbar
    to editors without two permission queries on every participant's page view."""
    if request is not None and hasattr(request, "session"):
        request.session["can_edit_pages"] = user.has_perm("wagtailadmin.access_admin")
