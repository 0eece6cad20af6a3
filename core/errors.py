"""Error pages of the site and the middleware that gives bodiless error answers a page."""

# --- Error pages ------------------------------------------------------------------------------
# German (English with the language cookie) pages in the site's layout for every error status the
# app answers with. The 400 and 500 pages render without the request's context: a 400 may come
# from an unknown host (DisallowedHost, before any site is known) and a 500 from a database that
# is down, so nothing on them may look up the user, the site or Wagtail's settings.


def _error_response(request, template_name: str, status: int, *, with_request: bool = True):
    from django.http import HttpResponse
    from django.template import loader

    template = loader.get_template(template_name)
    if with_request:
        try:
            body = template.render({"error_status": status}, request)
        except Exception:  # a broken request context must not turn an error page into a 500
            body = template.render({"error_status": status})
    else:
        body = template.render({"error_status": status})
    return HttpResponse(body, status=status)


def bad_request(request, exception=None):
    """handler400: malformed requests, oversized bodies, too many fields, unknown hosts."""
    return _error_response(request, "400.html", 400, with_request=False)


def permission_denied(request, exception=None):
    """handler403."""
    return _error_response(request, "403.html", 403)


def page_not_found(request, exception=None):
    """handler404."""
    return _error_response(request, "404.html", 404)


# What the database driver raises when PostgreSQL is unreachable (also: restarting, too many
# connections); the request may simply be repeated a little later.
RETRY_AFTER_SECONDS = 30


def _database_unavailable(exc) -> bool:
    from django.db import InterfaceError, OperationalError

    return isinstance(exc, (OperationalError, InterfaceError))


def service_unavailable(request=None):
    """503 in the site's layout, German, with Retry-After. Rendered without the request's
    context processors, so nothing in it needs the database."""
    response = _error_response(request, "503.html", 503, with_request=False)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request):
    """handler500, except that an unreachable database answers 503 (every page and the admin:
    the handler sees exceptions from views and middleware alike)."""
    import sys

    if _database_unavailable(sys.exc_info()[1]):
        return service_unavailable(request)
    return _error_response(request, "500.html", 500, with_request=False)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: an expired or missing form token (e.g. a form left open overnight, or
    cookies blocked)."""
    return _error_response(request, "403_csrf.html", 403)


class EmptyErrorPageMiddleware:
    """405 and 410 answers that come without a body (``require_GET``/``require_POST``, Wagtail's
    redirects to nowhere) get the site's error page; responses with their own body keep it."""

    TEMPLATES = {405: "405.html", 410: "410.html"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        template_name = self.TEMPLATES.get(response.status_code)
        if template_name and not response.streaming and not response.content:
            page = _error_response(request, template_name, response.status_code)
            response.content = page.content
            response["Content-Type"] = page["Content-Type"]
        return response


class RejectNulCharactersMiddleware:
    """A NUL character in the path, a query parameter or a form field gets the 400 page.

    PostgreSQL cannot store or compare text with NUL (the driver raises DataError, a 500), and no
    legitimate input contains one; Django's form fields refuse it, but query parameters and
    fields read directly (filters, search, ids) would reach the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or self._has_nul(request.GET) or self._has_nul(request.POST):
            return bad_request(request)
        return self.get_response(request)

    @staticmethod
    def _has_nul(data) -> bool:
        return any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in data.lists()
        )
