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
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    first_name = factory.Faker("first_name", locale="de_CH")
    last_name = factory.Faker("last_name", locale="de_CH")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("Sicheres-Passwort-2026")

    @factory.post_generation
    def email_confirmed(self, create, extracted, **kwargs):
        """Accounts with an address count as confirmed, as the migration treats existing ones
        (``email_confirmed=False`` leaves the address unconfirmed)."""
        if create and self.email and extracted is not False:
            from accounts.emails import mark_email_confirmed

            mark_email_confirmed(user=self)


# --- Completing modules for a person ----------------------------------------------------------
# The one way tests (and nothing else) complete a course for somebody: each module's content is
# marked read and its quiz passed, as the participant's services would record them, and
# training's own service decides that the module and then the course are complete.


def complete_modules(enrollment, modules, *, at=None) -> None:
    """Reads and passes ``modules`` for ``enrollment`` and completes each through
    ``training.services.complete_module`` (the last required one completes the enrollment and
    announces it after the commit).

    ``at``: when it happened: a datetime, or a function of the module returning one; the modules'
    completion gets that moment too (certificates show such fixed dates). Without it everything
    happens now and the service stamps the completion itself.
    """
    from django.utils import timezone

    from training.models import ModuleProgress
    from training.services import complete_module

    for module in modules:
        moment = at(module) if callable(at) else at
        defaults = {
            "content_done_at": moment or timezone.now(),
            "quiz_passed_at": moment or timezone.now(),
            "page_revision_id": module.live_revision_id,
        }
        if moment is not None:
            defaults["completed_at"] = moment
        ModuleProgress.objects.update_or_create(
            enrollment=enrollment, module=module, defaults=defaults
        )
        complete_module(enrollment_id=enrollment.pk, module_id=module.pk)


def complete_course(enrollment, *, except_last: bool = False, at=None) -> list:
    """Every live module of the enrollment's course in reading order (all but the last with
    ``except_last``), completed with :func:`complete_modules`; returns those modules."""
    from cms.selectors import course_modules

    modules = course_modules(enrollment.course)
    if except_last:
        modules = modules[:-1]
    complete_modules(enrollment, modules, at=at)
    if not except_last:
        meet_course_conditions(enrollment)
    return modules


def meet_course_conditions(enrollment) -> None:
    """What the course's rules (``CourseRules``) ask besides the modules: every section's
    transfer task accepted and the final exam passed (a finished, passed attempt), recorded as
    the services would; then ``training.services.complete_course`` decides. Nothing for a course
    without rules."""
    from django.utils import timezone

    from cms.models import SectionPage
    from training.completion import final_exam, rules_for
    from training.models import CourseRules, Sitting, TransferTask
    from training.services import complete_course

    rules = rules_for(enrollment.course_id)
    if rules is None:
        return
    now = timezone.now()
    if rules.transfer_tasks != CourseRules.TransferTasks.OFF:
        for section in SectionPage.objects.live().child_of(enrollment.course):
            TransferTask.objects.update_or_create(
                enrollment=enrollment,
                section=section,
                defaults={
                    "text": "Am Schalter angewendet.",
                    "status": TransferTask.Status.ACCEPTED,
                    "submitted_at": now,
                    "reviewed_at": now,
                },
            )
    exam = final_exam(enrollment.course_id)
    if (
        exam is not None
        and not Sitting.objects.filter(enrollment=enrollment, quiz=exam, passed=True).exists()
    ):
        attempt = Sitting.objects.filter(user_id=enrollment.user_id, quiz=exam).count() + 1
        make_sitting(
            enrollment=enrollment,
            module_id=None,
            quiz=exam,
            attempt=attempt,
            passed=True,
            score=6,
            finished_at=now,
        )
    complete_course(enrollment_id=enrollment.pk)


# --- Trainer workspace ------------------------------------------------------------------------
# Small courses and cohorts built directly (much faster than the full demo).


def make_workspace_course(
    *, sections: int = 3, modules_per_section: int = 4, title: str = "Testkurs"
):
    """A live course with `sections` sections of `modules_per_section` required modules (live
    pages without revisions: enough for progress and reports, and quick to build)."""
    from cms.models import CompetenceArea, CoursePage, ModulePage, SectionPage
    from cms.services import ensure_home_page

    def _add_published(parent, page):
        return parent.add_child(instance=page)

    home = ensure_home_page()
    slug = f"kurs-{CoursePage.objects.count() + 1}"
    course = _add_published(home, CoursePage(title=title, slug=slug))
    areas = list(CompetenceArea.values)
    for s in range(1, sections + 1):
        section = _add_published(
            course,
            SectionPage(
                title=f"Lernbereich {s}",
                slug=f"bereich-{s}",
                competence_area=areas[(s - 1) % len(areas)],
                order=s,
            ),
        )
        for m in range(1, modules_per_section + 1):
            _add_published(section, ModulePage(title=f"Modul {s}.{m}", slug=f"modul-{s}-{m}"))
    return course


def course_module_ids(course) -> list[int]:
    from cms.selectors import course_modules

    return [m.pk for m in course_modules(course)]


def make_cohort(
    *, course, trainers=(), name="Einwohnerdienste 2027", organisation="Stadt Testingen"
):
    from training.models import Cohort

    cohort = Cohort.objects.create(name=name, organisation=organisation, course=course)
    cohort.trainers.add(*trainers)
    return cohort


def user_in_group(group_name: str, **kwargs):
    from django.contrib.auth.models import Group

    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=group_name))
    return user


def enroll_many(cohort, count: int, *, unit=None, prefix: str = "tn"):
    """`count` participants enrolled in the cohort (bulk inserts: fast for large cohorts)."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.models import AccountEmail
    from training.models import Enrollment

    User = get_user_model()
    start = User.objects.count()
    password = make_password("Sicheres-Passwort-2026")
    users = User.objects.bulk_create(
        User(
            username=f"{prefix}{start + i}",
            first_name=f"Vorname{i:04d}",
            last_name=f"Nachname{i:04d}",
            email=f"{prefix}{start + i}@example.org",
            password=password,
        )
        for i in range(count)
    )
    # Existing accounts with an address count as confirmed, as the migration treats them.
    confirmed_at = timezone.now()
    AccountEmail.objects.bulk_create(
        AccountEmail(user_id=u.pk, confirmed_at=confirmed_at) for u in users
    )
    return Enrollment.objects.bulk_create(
        Enrollment(user=u, course_id=cohort.course_id, cohort=cohort, organisation_unit=unit)
        for u in users
    )


def make_workspace_quiz(*, title: str = "Lernkontrolle", questions: list[dict] | None = None):
    """A published quiz; `questions` as in the quiz content files (type, text, answers ...)."""
    import json

    from training.models import Quiz
    from training.quizzes.demo import question_block

    questions = questions or [
        {
            "type": "single_choice",
            "text": "Welche Antwort stimmt?",
            "answers": [{"text": "Diese", "correct": True}, {"text": "Jene"}],
        },
        {"type": "true_false", "text": "Die Verwaltung wird digital.", "correct": True},
        {"type": "essay", "text": "Beschreiben Sie einen Fall."},
    ]
    quiz = Quiz(
        title=title,
        questions=json.dumps([question_block(q, "test") for q in questions]),
        live=False,
    )
    quiz.save()
    quiz.save_revision().publish()
    quiz.refresh_from_db()
    return quiz


def make_sitting(*, enrollment, module_id, quiz, attempt=1, **fields):
    from training.models import Sitting

    defaults = {"complete": True, "max_score": 6, "score": 0}
    defaults.update(fields)
    return Sitting.objects.create(
        user_id=enrollment.user_id,
        quiz=quiz,
        quiz_revision=quiz.latest_revision,
        enrollment=enrollment,
        module_id=module_id,
        attempt_number=attempt,
        **defaults,
    )


def restore_migration_data():
    """Re-creates what data migrations made (Wagtail's locale, root page and root collection, the
    editor groups and their rights) when a transactional test's flush removed it; a no-op
    otherwise. Transactional tests end with a flush, so only the first of them would see it."""
    from importlib import import_module

    from django.apps import apps
    from django.conf import settings
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Collection, Locale, Page

    Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    if not Page.objects.filter(depth=1).exists():
        Page.add_root(instance=Page(title="Root", slug="root"))
    if not Collection.objects.filter(depth=1).exists():
        Collection.add_root(name="Root")
    for module, function in (
        ("cms.migrations.0002_editor_groups", "create_groups"),
        ("training.migrations.0002_editor_group_permissions", "grant"),
        ("training.migrations.0003_trainer_workspace", "grant"),
        ("training.migrations.0009_course_rules_final_exam_transfer_tasks", "grant_permissions"),
    ):
        getattr(import_module(module), function)(apps, None)


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


class TOTPDeviceFactory(factory.django.DjangoModelFactory):
    """A confirmed authenticator app (django-otp TOTP) of ``user``."""

    class Meta:
        model = "otp_totp.TOTPDevice"

    user = factory.SubFactory(UserFactory)
    name = "Authenticator-App"
    confirmed = True


def totp_code(device, *, steps_ahead: int = 0) -> str:
    """The code the authenticator app of ``device`` shows now, or ``steps_ahead`` time steps
    later: django-otp accepts each step once, and one step of clock difference."""
    from django_otp.oath import totp

    device.refresh_from_db()
    drift = device.drift + steps_ahead
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, drift=drift):06d}"


def editor(group: str = "Trainer:innen", **kwargs):
    """A user in one of the editor groups created by the cms migrations."""
    from django.contrib.auth.models import Group

    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=group))
    return user
