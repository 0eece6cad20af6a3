"""The module page: body cached per published revision, per-person parts fresh, and a query
count that does not grow with the course."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.models import ModulePage
from tests.factories import UserFactory, build_course, module_body, publish_page

pytestmark = pytest.mark.django_db

MAX_QUERIES = 12
# A body rendered afresh also reads the glossary's terms and its page's address (memoised per
# process once the tree is committed; inside a test's transaction they are read each time).
MAX_QUERIES_FIRST_VIEW = MAX_QUERIES + 2


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_query_count_stays_the_same_as_modules_are_added(client, django_assert_max_num_queries):
    # given a participant reading the first module of a small course
    tree = build_course(sections=1, modules_per_section=2)
    module = tree["modules"][0][0]
    client.force_login(UserFactory(username="teilnehmerin"))
    client.get(module.url)  # session and body cache warm, as for every later page view
    with django_assert_max_num_queries(MAX_QUERIES):
        small = queries_for(client, module.url)

    # when the course grows by two sections of twelve modules
    for s in (2, 3):
        section = publish_page(
            tree["course"],
            type(tree["sections"][0])(
                title=f"Bereich {s}", slug=f"bereich-{s}", competence_area="fachkompetenz", order=s
            ),
        )
        for m in range(12):
            publish_page(section, ModulePage(title=f"M{s}.{m}", slug=f"m-{m}", body=module_body()))

    # then the same page needs exactly as many queries as before
    with django_assert_max_num_queries(MAX_QUERIES):
        large = queries_for(client, module.url)
    assert large == small


def test_first_view_of_a_revision_stays_within_the_limit_too(client, django_assert_max_num_queries):
    tree = build_course(sections=2, modules_per_section=5)
    client.force_login(UserFactory(username="teilnehmerin"))
    client.get("/")  # the session exists
    with django_assert_max_num_queries(MAX_QUERIES_FIRST_VIEW):
        client.get(tree["modules"][1][2].url)


def test_body_is_served_from_the_cache_until_a_new_revision_is_published(client):
    # given a module that has been viewed once
    module = build_course(sections=1, modules_per_section=1)["modules"][0][0]
    assert "Ein Absatz über das Verwaltungsportal." in client.get(module.url).content.decode()

    # when its body is changed without publishing a revision (as a script might)
    ModulePage.objects.filter(pk=module.pk).update(body=module_body(word="Bürgerkonto"))
    # then readers still get the cached body of the published revision
    assert "Verwaltungsportal" in client.get(module.url).content.decode()

    # when a trainer publishes a new revision
    module = ModulePage.objects.get(pk=module.pk)
    module.body = module_body(word="Bürgerkonto")
    module.save_revision().publish()
    # then readers get the new body at once
    html = client.get(module.url).content.decode()
    assert "Ein Absatz über das Bürgerkonto." in html
    assert "Verwaltungsportal" not in html


def test_per_person_parts_are_outside_the_cached_body():
    # The progress panel is the participant's own state: it must never end up in the
    # fragment that every reader shares.
    template = open("cms/templates/cms/module_page.html", encoding="utf-8").read()
    cached = template[template.index("{% wagtailcache") : template.index("{% endwagtailcache %}")]
    assert "{% module_progress_panel page %}" in template
    assert "module_progress_panel" not in cached
    assert template.index("{% module_progress_panel page %}") > template.index(
        "{% endwagtailcache %}"
    )
