from django.core.paginator import Paginator
from django.shortcuts import render

from cms.selectors import search_modules

MAX_QUERY_LENGTH = 200


def search(request):
    # Control characters (a NUL byte breaks PostgreSQL) carry no meaning in a search.
    raw = (request.GET.get("q") or "")[:MAX_QUERY_LENGTH]
    query = "".join(ch for ch in raw if ch.isprintable()).strip()
    results = search_modules(query) if query else []
    page = Paginator(results, 10).get_page(request.GET.get("seite"))
    return render(request, "cms/search.html", {"query": query, "results": page})
