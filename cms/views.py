from django.core.paginator import Paginator
from django.shortcuts import render
from wagtail import views as wagtail_views

from cms.selectors import attach_site, search_modules

MAX_QUERY_LENGTH = 200


def search(request):
    attach_site(request)  # the results link to pages
    # Control characters (a NUL byte breaks PostgreSQL) carry no meaning in a search.
    raw = (request.GET.get("q") or "")[:MAX_QUERY_LENGTH]
    query = "".join(ch for ch in raw if ch.isprintable()).strip()
    results = search_modules(query) if query else []
    page = Paginator(results, 10).get_page(request.GET.get("seite"))
    return render(request, "cms/search.html", {"query": query, "results": page})


def serve(request, path):
    """Wagtail's page view, with the request's site from the tree's memo (no query per request
    for the site and its root page)."""
    attach_site(request)
    return wagtail_views.serve(request, path)
