"""A long module in steps: its body split at its headings into sections the reader moves
through one at a time ("Abschnitt 2 von 5"), with a table of contents, and the reading
position kept in the person's session.

``?abschnitt=N`` shows section N, ``?abschnitt=alle`` the whole module on one page; without
it the page opens at the section the person last read (or the first). A module with fewer
than two headings is one section and shows no steps.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.text import slugify

ALL = "alle"
PARAMETER = "abschnitt"
SESSION_KEY = "cms.reading_position"
SESSION_MAX_MODULES = 100


@dataclass
class Chunk:
    """Consecutive blocks rendered together: content (cached per revision) or one quiz block
    (rendered for the person, with its buttons)."""

    blocks: list = field(default_factory=list)
    quiz: bool = False


@dataclass
class ReadingSection:
    number: int
    title: str
    blocks: list = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"abschnitt-{self.number}"

    @property
    def chunks(self) -> list[Chunk]:
        chunks: list[Chunk] = []
        for block in self.blocks:
            if block.block_type == "quiz":
                chunks.append(Chunk([block], quiz=True))
            elif chunks and not chunks[-1].quiz:
                chunks[-1].blocks.append(block)
            else:
                chunks.append(Chunk([block]))
        return chunks

    @property
    def slug(self) -> str:
        return slugify(self.title)


def split_sections(body, first_title: str) -> list[ReadingSection]:
    """The body's sections: a heading block starts one; blocks before the first heading form a
    section titled ``first_title``."""
    sections: list[ReadingSection] = []
    for block in body:
        if block.block_type == "heading":
            sections.append(ReadingSection(len(sections) + 1, str(block.value), [block]))
        else:
            if not sections:
                sections.append(ReadingSection(1, first_title))
            sections[-1].blocks.append(block)
    return sections


def _stored(request) -> dict:
    session = getattr(request, "session", None)
    if session is None or not request.user.is_authenticated:
        return {}
    stored = session.get(SESSION_KEY)
    return stored if isinstance(stored, dict) else {}


def reading_position(request, module_id: int) -> int | None:
    """The section the person last read in this module (1-based), if known."""
    value = _stored(request).get(str(module_id))
    return value if isinstance(value, int) and value > 0 else None


def _remember(request, module_id: int, number: int) -> None:
    if not request.user.is_authenticated or reading_position(request, module_id) == number:
        return
    stored = dict(_stored(request))
    stored.pop(str(module_id), None)
    stored[str(module_id)] = number  # the newest last: the oldest are dropped first
    while len(stored) > SESSION_MAX_MODULES:
        stored.pop(next(iter(stored)))
    request.session[SESSION_KEY] = stored


@dataclass
class Reading:
    sections: list[ReadingSection]
    current: ReadingSection | None  # None: all sections on one page

    @property
    def stepped(self) -> bool:
        return len(self.sections) > 1

    @property
    def shown(self) -> list[ReadingSection]:
        return self.sections if self.current is None else [self.current]

    @property
    def total(self) -> int:
        return len(self.sections)

    @property
    def previous(self) -> ReadingSection | None:
        if self.current is None or self.current.number == 1:
            return None
        return self.sections[self.current.number - 2]

    @property
    def next(self) -> ReadingSection | None:
        if self.current is None or self.current.number == len(self.sections):
            return None
        return self.sections[self.current.number]

    @property
    def at_end(self) -> bool:
        """The last section (or everything) is on screen: the place for the progress panel."""
        return self.current is None or self.next is None

    @property
    def key(self) -> str:
        return ALL if self.current is None else str(self.current.number)


def reading_for(request, module) -> Reading:
    """The sections of ``module`` and the one to show for this request (remembered)."""
    sections = split_sections(module.body, module.title)
    if len(sections) <= 1:
        return Reading(sections, None)
    asked = request.GET.get(PARAMETER, "")
    if asked == ALL:
        return Reading(sections, None)
    number = int(asked) if asked.isdigit() and len(asked) < 4 else None
    if number is None or not 1 <= number <= len(sections):
        stored = reading_position(request, module.pk)
        number = stored if stored and stored <= len(sections) else 1
    elif not getattr(request, "is_preview", False):
        _remember(request, module.pk, number)
    return Reading(sections, sections[number - 1])


def end_of_module_url(module, url: str) -> str:
    """The module's URL at its last section, where its progress panel is."""
    sections = split_sections(module.body, module.title)
    return f"{url}?{PARAMETER}={len(sections)}" if len(sections) > 1 else url
