"""The site's URLs plus one address that answers a bodiless 410, as Django's ``RedirectView``
without a target or a view returning ``HttpResponseGone()`` would: nothing in the app answers so
today, and ``core.errors.EmptyErrorPageMiddleware`` must still give such an answer the page."""

from django.http import HttpResponseGone
from django.urls import path

from config import urls as site_urls

GONE_PATH = "/test-entfernt/"


def gone(request):
    return HttpResponseGone()


urlpatterns = [path(GONE_PATH.strip("/") + "/", gone), *site_urls.urlpatterns]

handler400 = site_urls.handler400
handler403 = site_urls.handler403
handler404 = site_urls.handler404
handler500 = site_urls.handler500
