from cms.selectors import attach_site
from config.security import is_admin_path


def site(request):
    """Every rendered page outside the admin gets Wagtail's site and the sites' root paths from
    the tree's memo before a page URL is built (``{% pageurl %}`` asks for both)."""
    if not is_admin_path(request.path_info):
        attach_site(request)
    return {}
