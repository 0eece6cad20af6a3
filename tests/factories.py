"""factory_boy factories and shared constants for the suite."""

import json

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


# --- Course trees and quizzes (training) ---------------------------------------------------
# Small, fast alternatives to the full demo: a course with one section and a few modules, and
# quizzes whose question and answer ids are fixed, so tests can post exact answers.


def single_choice(qid, text="Welche Antwort stimmt?", *, answers=None, points=1, category=""):
    answers = answers or [(f"{qid}-right", "Die richtige", True), (f"{qid}-wrong", "Falsch", False)]
    return {
        "type": "single_choice",
        "id": qid,
        "value": {
            "text": text,
            "category": category,
            "explanation": f"<p>Erklärung zu {qid}</p>",
            "points": points,
            "answers": [
                {
                    "type": "item",
                    "id": aid,
                    "value": {"text": atext, "correct": ok, "feedback": f"Rückmeldung {aid}"},
                }
                for aid, atext, ok, *_ in answers
            ],
        },
    }


def multiple_choice(qid, text="Welche Antworten stimmen?", *, correct=2, wrong=2, points=2,
                    scoring="right_minus_wrong", category=""):  # fmt: skip
    block = single_choice(
        qid,
        text,
        answers=[(f"{qid}-c{i}", f"Richtig {i}", True) for i in range(1, correct + 1)]
        + [(f"{qid}-w{i}", f"Falsch {i}", False) for i in range(1, wrong + 1)],
        points=points,
        category=category,
    )
    block["type"] = "multiple_choice"
    block["value"]["scoring"] = scoring
    return block


def true_false(qid, text="Die Aussage stimmt.", *, correct=True, points=1, category=""):
    return {
        "type": "true_false",
        "id": qid,
        "value": {
            "text": text,
            "category": category,
            "explanation": f"<p>Erklärung zu {qid}</p>",
            "points": points,
            "correct": correct,
        },
    }


def essay(qid, text="Beschreiben Sie Ihr Vorgehen.", *, points=4, category=""):
    return {
        "type": "essay",
        "id": qid,
        "value": {
            "text": text,
            "category": category,
            "explanation": f"<p>Erklärung zu {qid}</p>",
            "points": points,
            "model_answer": "<p>Musterlösung</p>",
        },
    }


def default_questions():
    """One of each kind that is scored automatically. Ids start with the kind's letter
    (s, m, t, e), which tests/training's answer helpers rely on."""
    return [single_choice("s1"), multiple_choice("m1"), true_false("t1")]


def make_quiz(*, questions=None, publish=True, title=None, **options):
    """A quiz snippet with the given question blocks; published (live) unless told otherwise."""
    import json

    from training.models import Quiz

    quiz = Quiz(
        title=title or f"Lernkontrolle {Quiz.objects.count() + 1}",
        questions=json.dumps(questions if questions is not None else default_questions()),
        live=False,
        **options,
    )
    quiz.save()
    revision = quiz.save_revision()
    if publish:
        revision.publish()
        quiz.refresh_from_db()
    return quiz


def make_course(*, modules=2, slug="testkurs", competence_area="fachkompetenz"):
    """A live course with one section of ``modules`` required modules (no quizzes yet).

    Pages are created live without publishing revisions: several times faster, and enough for
    everything but tests about page revisions (those publish themselves)."""
    from cms.models import CoursePage, ModulePage, SectionPage
    from cms.services import ensure_home_page

    home = ensure_home_page()
    course = home.add_child(instance=CoursePage(title=f"Kurs {slug}", slug=slug))
    section = course.add_child(
        instance=SectionPage(
            title="Lernbereich A", slug=f"{slug}-a", competence_area=competence_area, order=1
        )
    )
    created = []
    for i in range(1, modules + 1):
        module = section.add_child(
            instance=ModulePage(
                title=f"Modul {i}",
                slug=f"{slug}-modul-{i}",
                body=json.dumps([{"type": "text", "value": f"<p>Inhalt {i}</p>"}]),
            )
        )
        created.append(ModulePage.objects.get(pk=module.pk))
    return course, section, created


def place_quiz(module, quiz):
    """Publishes a new revision of the module with the quiz block appended to its body."""
    from cms.models import ModulePage

    body = list(module.body.raw_data) + [{"type": "quiz", "value": {"quiz": quiz.pk, "intro": ""}}]
    module.body = json.dumps(body)
    module.save_revision().publish()
    return ModulePage.objects.get(pk=module.pk)


def enroll(user, course, *, cohort_name="Testdurchführung"):
    from training.models import Cohort
    from training.services import enroll as enroll_user

    cohort, _ = Cohort.objects.get_or_create(
        name=cohort_name, course=course, defaults={"organisation": "Gemeinde Testdorf"}
    )
    return enroll_user(user=user, cohort=cohort)
