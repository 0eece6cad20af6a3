from django.core.paginator import Paginator
from django.shortcuts import render

from cms.selectors import search_modules


def search(request):
    query = (request.GET.get("q") or "").strip()[:200]
    results = search_modules(query) if query else []
    page = Paginator(results, 10).get_page(request.GET.get("seite"))
    return render(request, "cms/search.html", {"query": query, "results": page})
