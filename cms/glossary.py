"""The glossary on module pages: the first use of a term in a module links to its explanation.

Rendering happens on the server (no JavaScript): ``link_first_uses`` wraps the first occurrence
of each term in the module body's text in a link to the term's entry in the box "Begriffe in
diesem Modul" at the end of the module (``<dfn>`` with the explanation, on the same page), and
acronyms in ``<abbr title="…">`` with their long form. Headings, links and the term box itself
are left alone.

The terms come from the memo of the tree (``cms.tree_cache``): saving or deleting a
``GlossaryTerm`` sets a new tree version (``cms.apps``). The module body's fragment cache key
holds ``glossary_version``, a value in the shared cache that the same changes (and saving the
glossary page) renew, so a changed explanation shows at once and a cached body costs no query.
"""

import re
from dataclasses import dataclass
from html import escape
from uuid import uuid4

from django.core.cache import cache
from django.db import connection, transaction

from cms.models import GlossaryPage, GlossaryTerm
from cms.tree_cache import memoised

VERSION_KEY = "cms:glossary-version"

ANCHOR_PREFIX = "begriff-"
# Text inside these elements is never linked.
_SKIP = {"a", "abbr", "dfn", "h1", "h2", "h3", "h4", "h5", "h6", "summary", "button", "code"}
_TOKENS = re.compile(r"(<!--.*?-->|<[^>]+>)", re.DOTALL)
_TAG_NAME = re.compile(r"<\s*(/?)\s*([a-zA-Z0-9]+)")
_VOID = {"br", "img", "hr", "input", "meta", "link", "source", "wbr"}


@dataclass(frozen=True)
class Term:
    term: str
    expansion: str
    explanation: str
    slug: str
    spellings: tuple[str, ...]

    @property
    def anchor(self) -> str:
        return f"{ANCHOR_PREFIX}{self.slug}"


def _load_terms() -> tuple[Term, ...]:
    return tuple(
        Term(t.term, t.expansion, t.explanation, t.slug, tuple(t.spellings()))
        for t in GlossaryTerm.objects.order_by("term")
    )


_terms: dict[str, tuple[Term, ...]] = {}  # the terms of one glossary version, per process


def glossary_terms() -> tuple[Term, ...]:
    """Read once per process and glossary version (not per tree version: publishing a page does
    not make module pages read the glossary again)."""
    version = glossary_version()
    terms = _terms.get(version)
    if terms is None:
        terms = _load_terms()
        _terms.clear()  # a change renews the version at once and again after its commit
        _terms[version] = terms
    return terms


def forget_terms() -> None:
    """Tests start without the memo (rows of a rolled-back test must not be served from it)."""
    _terms.clear()


def glossary_version() -> str:
    """Renewed whenever a term or the glossary page is saved or deleted (``glossary_changed``)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY) or uuid4().hex
    return version


def _new_version() -> None:
    cache.set(VERSION_KEY, uuid4().hex, timeout=None)


def glossary_changed(**kwargs) -> None:
    """Signal handler: at once, and again after the commit (as ``cms.tree_cache`` does), so a
    body rendered from the old rows in between is not kept under the new version."""
    _new_version()
    if connection.in_atomic_block:
        transaction.on_commit(_new_version)


def glossary_page_url() -> str:
    def build():
        page = GlossaryPage.objects.live().first()
        return page.url if page is not None else ""

    return memoised("glossary:page-url", build)


def _pattern(spellings) -> re.Pattern:
    # Longest first: "BITV 2.0" before "BITV".
    longest_first = sorted(spellings, key=len, reverse=True)
    alternatives = "|".join(re.escape(escape(s, quote=False)) for s in longest_first)
    # Not inside a longer word or compound: "DSG" is not linked in "revDSG" or "DSG-Revision".
    return re.compile(rf"(?<![\w-])({alternatives})(?![\w])")


def _link(term: Term, found: str) -> str:
    inner = f'<abbr title="{escape(term.expansion)}">{found}</abbr>' if term.expansion else found
    return f'<a class="glossary-term" href="#{term.anchor}">{inner}</a>'


def link_first_uses(markup: str, terms) -> tuple[str, list[Term]]:
    """The markup with the first use of each term linked, and the terms used, in order of
    first use."""
    patterns = [(t, _pattern(t.spellings)) for t in terms]
    used: list[Term] = []
    open_skips: list[str] = []
    out = []
    for token in _TOKENS.split(markup):
        if not token:
            continue
        if token.startswith("<"):
            match = _TAG_NAME.match(token)
            if match and not token.startswith("<!--"):
                closing, name = match.group(1), match.group(2).lower()
                if name in _SKIP:
                    if closing:
                        if name in open_skips:
                            del open_skips[len(open_skips) - 1 - open_skips[::-1].index(name)]
                    elif not token.rstrip().endswith("/>") and name not in _VOID:
                        open_skips.append(name)
            out.append(token)
            continue
        if open_skips:
            out.append(token)
            continue
        out.append(_link_in_text(token, patterns, used))
    return "".join(out), used


def _link_in_text(text: str, patterns, used: list[Term]) -> str:
    # Earliest match first, so a text that names two terms links both where they stand; at the
    # same place the longer one ("OZG 2.0", not "OZG").
    best = None
    for term, pattern in patterns:
        if term in used:
            continue
        match = pattern.search(text)
        if match and (
            best is None
            or (match.start(), -len(match.group(1))) < (best[1].start(), -len(best[1].group(1)))
        ):
            best = (term, match)
    if best is None:
        return text
    term, match = best
    used.append(term)
    head, tail = text[: match.start()], text[match.end() :]
    return head + _link(term, match.group(1)) + _link_in_text(tail, patterns, used)
