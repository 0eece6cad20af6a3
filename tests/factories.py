"""factory_boy factories and shared constants for the suite."""

import factory
from django.contrib.auth import get_user_model

SECTION_TITLES = (
    "Digitale Service-Expertise",
    "Digitales Service-Mindset",
    "Bürgerinteraktion 4.0",
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"person{n}")
    first_name = factory.Faker("first_name", locale="de_CH")
    last_name = factory.Faker("last_name", locale="de_CH")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("Sicheres-Passwort-2026")


# --- Course pages (cms) ----------------------------------------------------------------------
# Plain functions rather than factory_boy: Wagtail pages are created through their parent.


def publish_page(parent, page):
    """Adds ``page`` under ``parent`` and publishes it as a revision, as the admin does."""
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def module_body(word="Verwaltungsportal"):
    import json

    return json.dumps(
        [
            {"type": "heading", "value": "Worum es geht"},
            {"type": "text", "value": f"<p>Ein Absatz über das {word}.</p>"},
        ]
    )


def build_course(*, sections=3, modules_per_section=2, title="Testkurs"):
    """A published course: home → course → ``sections`` sections → modules, in reading order.

    Returns a dict with ``home``, ``course``, ``sections`` (list) and ``modules`` (list of
    lists, per section).
    """
    from cms.models import CompetenceArea, CoursePage, ModulePage, SectionPage
    from cms.services import ensure_home_page

    home = ensure_home_page()
    course = publish_page(home, CoursePage(title=title, slug="testkurs"))
    areas = list(CompetenceArea.values)
    built_sections, built_modules = [], []
    for s in range(1, sections + 1):
        section = publish_page(
            course,
            SectionPage(
                title=f"Lernbereich {s}",
                slug=f"lernbereich-{s}",
                competence_area=areas[(s - 1) % len(areas)],
                order=s,
            ),
        )
        built_sections.append(section)
        built_modules.append(
            [
                publish_page(
                    section,
                    ModulePage(
                        title=f"Modul {s}.{m}",
                        slug=f"modul-{s}-{m}",
                        estimated_minutes=10 * m,
                        body=module_body(),
                    ),
                )
                for m in range(1, modules_per_section + 1)
            ]
        )
    return {"home": home, "course": course, "sections": built_sections, "modules": built_modules}
