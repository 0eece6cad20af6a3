"""The module body goes through the "fragments" cache alias, which one setting switches off."""

import pytest
from django.core.cache import cache, caches
from django.core.cache.utils import make_template_fragment_key

from cms.glossary import glossary_version
from tests.factories import build_course
from tests.test_settings import run_django


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    caches["fragments"].clear()
    yield
    cache.clear()
    caches["fragments"].clear()


@pytest.mark.django_db
def test_module_body_is_stored_in_the_fragments_cache(client):
    # given a published module
    module = build_course(sections=1, modules_per_section=1)["modules"][0][0]
    key = make_template_fragment_key(
        "module_body", [module.pk, module.live_revision_id, "de", glossary_version()]
    )
    assert caches["fragments"].get(key) is None

    # when someone reads it
    response = client.get(module.url)

    # then its body is cached under the fragments alias
    assert response.status_code == 200
    assert "Verwaltungsportal" in caches["fragments"].get(key)


def test_fragment_cache_uses_the_default_store_unless_switched_off():
    code = (
        "import django; django.setup(); from django.conf import settings;"
        "print(settings.CACHES['fragments']['BACKEND'], settings.CACHES['fragments']['LOCATION'])"
    )
    redis = {"DJANGO_DEBUG": "1", "REDIS_URL": "redis://127.0.0.1:6379/3"}
    on = run_django(redis, code)
    assert on.returncode == 0, on.stderr
    assert on.stdout.split() == [
        "django_redis.cache.RedisCache",
        "redis://127.0.0.1:6379/3",
    ]

    code = "import django; django.setup(); from django.conf import settings;" + (
        "print(settings.CACHES['fragments']['BACKEND'])"
    )
    off = run_django({**redis, "DJANGO_FRAGMENT_CACHE": "0"}, code)
    assert off.returncode == 0, off.stderr
    assert off.stdout.strip() == "django.core.cache.backends.dummy.DummyCache"
