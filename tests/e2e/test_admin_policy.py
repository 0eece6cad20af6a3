"""The Wagtail admin works under its own Content Security Policy (editor, preview, userbar)."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

DEMO_PASSWORD = "Buergerservice-2026"  # noqa: S105  (seed_demo's demo accounts)


def test_editing_and_previewing_a_module_violates_no_policy(live_demo, page):
    # given a trainer in a browser that enforces the site's policies
    refused = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto(live_demo + "/admin/login/")
    page.locator("input[name=username]").fill("trainerin")
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    # when they open a module in the editor and its preview panel
    from cms.models import ModulePage

    module = ModulePage.objects.live().order_by("path").first()
    page.goto(f"{live_demo}/admin/pages/{module.pk}/edit/")
    page.get_by_role("button", name="Vorschau").first.click()
    # then the preview shows the module (Wagtail renders it for the page's own URL, and the
    # editor frames it; the panel swaps in a freshly loaded iframe, hence the retrying expect)
    preview = page.frame_locator("#w-preview-iframe")
    expect(preview.get_by_role("heading", level=1)).to_have_text(module.title)
    # when they look at the live page with the editor's user bar
    page.goto(live_demo + module.url)
    page.locator("[data-wagtail-userbar], wagtail-userbar").first.wait_for(state="attached")
    # then the browser refused nothing anywhere
    assert refused == []
