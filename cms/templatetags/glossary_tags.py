"""``{% glossary_linked %}…{% endglossary_linked %}`` links the first use of each glossary term
in what it encloses and appends the box "Begriffe in diesem Modul" (see ``cms.glossary``)."""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from cms.glossary import glossary_page_url, glossary_terms, glossary_version, link_first_uses

register = template.Library()


@register.simple_tag(name="glossary_version")
def glossary_version_tag():
    return glossary_version()


class GlossaryLinkedNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        markup, used = link_first_uses(self.nodelist.render(context), glossary_terms())
        if not used:
            return mark_safe(markup)  # noqa: S308  (rendered by our own templates)
        box = render_to_string(
            "cms/glossary_box.html",
            {"terms": used, "glossary_url": glossary_page_url()},
            request=context.get("request"),
        )
        return mark_safe(markup + box)  # noqa: S308  (the box escapes what it shows)


@register.tag
def glossary_linked(parser, token):
    nodelist = parser.parse(("endglossary_linked",))
    parser.delete_first_token()
    return GlossaryLinkedNode(nodelist)
