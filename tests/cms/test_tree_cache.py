"""The page tree's memo (cms.tree_cache): page views stop querying the tree, and every change a
trainer can make shows on the next request.

Changes are committed for real here (``django_capture_on_commit_callbacks`` runs what a commit
runs), because the memo keeps nothing that a still-open transaction changed."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, PageViewRestriction, Site

from cms import tree_cache
from tests.factories import UserFactory, build_course, enroll

pytestmark = pytest.mark.django_db

NOT_ENROLLED = "Sie sind in diesem Kurs nicht eingeschrieben."

# A query on the tree: its outer FROM names a page, site or view-restriction table.
TREE_TABLES = ('"wagtailcore_page"', '"wagtailcore_site"', '"wagtailcore_pageview', '"cms_')


def on_the_tree(sql: str) -> bool:
    return sql.split(" FROM ", 1)[-1].startswith(TREE_TABLES)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs a block as if its transaction committed (on-commit callbacks executed)."""

    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


@pytest.fixture
def world(committed):
    tree = committed(lambda: build_course(sections=2, modules_per_section=2))
    participant = UserFactory()
    committed(lambda: enroll(participant, tree["course"]))
    return {**tree, "participant": participant}


def tree_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return response, [q["sql"] for q in ctx.captured_queries if on_the_tree(q["sql"])]


def breadcrumbs(html):
    nav = re.search(r'<nav class="breadcrumbs.*?</nav>', html, re.S).group(0)
    return re.findall(r">([^<>]+)</a>", nav)


def test_a_module_page_reads_the_tree_only_after_a_change(client, world):
    # given a participant who has read a module page once
    module = world["modules"][0][1]
    client.force_login(world["participant"])
    first, _ = tree_queries(client, module.url)
    assert first.status_code == 200

    # when they (or anyone served by this process) open pages again
    again, queries = tree_queries(client, module.url)
    dashboard, dashboard_queries = tree_queries(client, "/lernen/")

    # then site, page, view restrictions, breadcrumbs and outline come from the memo
    assert again.status_code == 200 and dashboard.status_code == 200
    assert queries == []
    assert dashboard_queries == []
    assert breadcrumbs(again.content.decode()) == breadcrumbs(first.content.decode())


def test_a_published_title_shows_at_once_in_page_breadcrumbs_and_dashboard(
    client, committed, world
):
    module = world["modules"][0][0]
    section = world["sections"][0]
    client.force_login(world["participant"])
    client.get(module.url)
    client.get("/lernen/")

    # when the trainer publishes new titles for the section and the module
    def publish():
        for page, title in ((section, "Neuer Lernbereich"), (module, "Neuer Modultitel")):
            page.title = title
            page.save_revision().publish()

    committed(publish)

    # then the next requests show them
    html = client.get(module.url).content.decode()
    assert '<h1 id="module-title">Neuer Modultitel</h1>' in html
    assert "Neuer Lernbereich" in breadcrumbs(html)
    dashboard = client.get("/lernen/").content.decode()
    assert "Neuer Modultitel" in dashboard and "Neuer Lernbereich" in dashboard


def test_an_unpublished_module_is_gone_at_once(client, committed, world):
    module = world["modules"][1][1]
    client.force_login(world["participant"])
    assert client.get(module.url).status_code == 200

    committed(lambda: module.unpublish())

    assert client.get(module.url).status_code == 404
    assert module.title not in client.get("/lernen/").content.decode()


def test_a_moved_module_has_its_new_place_at_once(client, committed, world):
    module = world["modules"][0][0]
    target = world["sections"][1]
    client.force_login(world["participant"])
    old_url = module.url
    assert client.get(old_url).status_code == 200

    # when the trainer moves the module into the other section
    committed(lambda: module.move(target, pos="last-child"))

    # then the old address leads to the new one (Wagtail's automatic redirect, which answers
    # only when no page is found there), which shows the new breadcrumbs and position
    module.refresh_from_db()
    old = client.get(old_url)
    assert (old.status_code, old["Location"]) == (301, module.url)
    html = client.get(module.url).content.decode()
    assert breadcrumbs(html)[-2:] == [target.title, module.title]
    assert "Modul 3 von 3" in html


def test_a_module_moved_to_another_course_counts_for_that_course_at_once(client, committed, world):
    from cms.models import CoursePage, SectionPage
    from tests.factories import publish_page

    # given a participant enrolled in the course of a module they have opened
    module = world["modules"][0][0]
    client.force_login(world["participant"])
    assert NOT_ENROLLED not in client.get(module.url).content.decode()

    # when the trainer moves the module into a course the participant is not enrolled in
    def other_course():
        course = publish_page(world["home"], CoursePage(title="Zweiter Kurs", slug="zweiter"))
        return publish_page(
            course,
            SectionPage(
                title="Anderer Bereich", slug="anders", competence_area="fachkompetenz", order=1
            ),
        )

    target = committed(other_course)
    committed(lambda: module.move(target, pos="last-child"))

    # then its page says their progress there is not recorded
    module.refresh_from_db()
    assert NOT_ENROLLED in client.get(module.url).content.decode()


def test_a_view_restriction_applies_at_once(client, committed, world):
    module = world["modules"][0][0]
    client.force_login(world["participant"])
    assert client.get(module.url).status_code == 200

    # when the trainer restricts the section to a group the participant is not in
    group = Group.objects.create(name="Nur Pilotgemeinden")

    def restrict():
        restriction = PageViewRestriction.objects.create(
            page=world["sections"][0], restriction_type=PageViewRestriction.GROUPS
        )
        restriction.groups.add(group)

    committed(restrict)

    # then the module below it is refused (Wagtail sends to the login page), and allowed again
    # once the participant is in the group
    assert client.get(module.url).status_code == 302
    world["participant"].groups.add(group)
    assert client.get(module.url).status_code == 200


def test_a_change_that_rolls_back_is_never_served(client, world):
    module = world["modules"][0][0]
    client.force_login(world["participant"])
    client.get(module.url)

    # when a change is saved and read inside a transaction that then rolls back
    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        page = Page.objects.get(pk=module.pk).specific
        page.title = "Verworfener Titel"
        page.save_revision().publish()
        assert "Verworfener Titel" in client.get(module.url).content.decode()
        raise Abort

    # then the next request shows the committed title again
    html = client.get(module.url).content.decode()
    assert "Verworfener Titel" not in html
    assert module.title in html


def test_another_process_change_is_seen_through_the_shared_version(client, world):
    module = world["modules"][0][0]
    client.force_login(world["participant"])
    client.get(module.url)

    # when another process changes a row (no signal here) and sets a new tree version in the
    # shared cache, as its signal handler does
    Page.objects.filter(pk=module.pk).update(title="Von nebenan")
    cache.set(tree_cache.VERSION_KEY, "version-of-another-process", timeout=None)

    # then this process builds anew
    assert "Von nebenan" in client.get(module.url).content.decode()


def test_a_changed_site_is_used_at_once(client, committed, world):
    module = world["modules"][0][0]
    client.force_login(world["participant"])
    assert client.get(module.url).status_code == 200

    # when the site is given another root (a new home page without the course)
    def new_root():
        root = Page.get_first_root_node()
        other = root.add_child(instance=Page(title="Andere Startseite", slug="andere"))
        site = Site.objects.get(is_default_site=True)
        site.root_page = other
        site.save()

    committed(new_root)

    # then the course's address is no longer served
    assert client.get(module.url).status_code == 404


def test_unknown_addresses_do_not_fill_the_memo(client, world):
    client.get("/")
    size = len(tree_cache._memo)
    for i in range(50):
        assert client.get(f"/gibt-es-nicht-{i}/").status_code == 404
    assert len(tree_cache._memo) == size


def test_the_memo_is_rebuilt_after_its_maximum_age_even_on_the_same_version(monkeypatch, db):
    # given a memoised value under an unchanged tree version (a change the cache never heard of,
    # as during a Redis outage that kept its data)
    clock = [1000.0]
    monkeypatch.setattr(tree_cache.time, "monotonic", lambda: clock[0])
    built = []

    def build():
        built.append(len(built))
        return len(built)

    assert tree_cache.memoised("probe", build) == 1
    clock[0] += tree_cache.MEMO_MAX_AGE_SECONDS - 1
    assert tree_cache.memoised("probe", build) == 1  # still served from the memo
    # when the maximum age has passed
    clock[0] += 2
    # then it is built from the tree again
    assert tree_cache.memoised("probe", build) == 2


def test_without_the_cache_every_request_reads_the_tree(monkeypatch, db):
    # given a cache that answers nothing (reads miss, writes are dropped: a Redis outage)
    monkeypatch.setattr(tree_cache.cache, "get", lambda *a, **k: None)
    monkeypatch.setattr(tree_cache.cache, "add", lambda *a, **k: None)
    monkeypatch.setattr(tree_cache.cache, "set", lambda *a, **k: None)
    built = []

    def build():
        built.append(1)
        return "baum"

    # when two requests need the same tree fact
    for _ in range(2):
        token = tree_cache._request_version.set([None])
        try:
            assert tree_cache.memoised("probe-2", build) == "baum"
        finally:
            tree_cache._request_version.reset(token)
    # then each read the tree itself (no stale memo, no error)
    assert len(built) == 2
