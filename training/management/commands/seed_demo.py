"""Loads the demo course, its quizzes, a demo cohort and demo accounts. Safe to run again."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.emails import mark_email_confirmed
from cms.models import SectionPage
from cms.services import load_course, point_default_site_at, read_course
from training.models import Cohort
from training.quizzes.demo import load_quiz, read_quizzes
from training.services import enroll

DEMO_PASSWORD = "Buergerservice-2026"  # noqa: S105  (demo accounts only; printed for newcomers)
DEMO_ACCOUNTS = [
    # username, first name, last name, email, groups
    ("trainerin", "Regula", "Meier", "trainerin@example.org", ["Trainer:innen"]),
    ("kursleitung", "Thomas", "Brunner", "kursleitung@example.org", ["Kursleitung"]),
    ("teilnehmer", "Hans", "Muster", "teilnehmer@example.org", []),
]
DEMO_COHORT = {"name": "Einwohnerdienste 2026", "organisation": "Stadt Musterlingen"}


class Command(BaseCommand):
    help = "Lädt Demo-Kurs, Lernkontrollen, eine Kursdurchführung und Demo-Konten (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--site-url",
            default="",
            help=(
                "Richtet die Standard-Website auf diese Adresse aus (z. B. http://127.0.0.1:8123), "
                "damit absolute Links der Seiten denselben Host und Port tragen wie die E-Mails."
            ),
        )

    @transaction.atomic
    def handle(self, *args, **options):
        if options["site_url"]:
            site = point_default_site_at(options["site_url"])
            self.stdout.write(f"Website: {site.hostname}:{site.port}")
        course_data = read_course()
        quizzes = {}
        for section in course_data["sections"]:
            for module in section["modules"]:
                data = read_quizzes().get(module["slug"])
                if data:
                    quizzes[module["slug"]] = load_quiz(data, category=section["competence_area"])
        extra = {
            slug: [{"type": "quiz", "value": {"quiz": quiz.pk, "intro": ""}}]
            for slug, quiz in quizzes.items()
        }
        course, report = load_course(extra_module_blocks=extra)

        users = {}
        User = get_user_model()
        for username, first, last, email, groups in DEMO_ACCOUNTS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "email": email},
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
                mark_email_confirmed(user=user)  # demo addresses count as confirmed
            for name in groups:
                group, _ = Group.objects.get_or_create(name=name)
                user.groups.add(group)
            users[username] = user

        cohort, _ = Cohort.objects.get_or_create(
            name=DEMO_COHORT["name"],
            course=course,
            defaults={"organisation": DEMO_COHORT["organisation"]},
        )
        cohort.trainers.add(users["trainerin"])
        enroll(user=users["teilnehmer"], cohort=cohort)
        seed_participant_before_last_module(cohort)

        sections = SectionPage.objects.child_of(course).count()
        self.stdout.write(
            f"Kurs «{course.title}»: {sections} Lernbereiche; "
            f"{len(report.created)} Seiten neu angelegt, {len(report.unchanged)} unverändert."
        )
        self.stdout.write(f"Demo-Konten (Passwort für alle: {DEMO_PASSWORD}):")
        for username, first, last, _, groups in DEMO_ACCOUNTS:
            role = ", ".join(groups) or "Teilnehmer:in"
            self.stdout.write(f"  {username:<12} {first} {last} ({role})")
        first, last = SECOND_PARTICIPANT[1:3]
        self.stdout.write(
            f"  {SECOND_PARTICIPANT[0]:<12} {first} {last} (Teilnehmer:in; nur das letzte Modul "
            "fehlt: nach dessen Abschluss erscheint das Zertifikat)"
        )


SECOND_PARTICIPANT = ("teilnehmerin2", "Anna", "Schärer", "teilnehmerin2@example.org")


def seed_participant_before_last_module(cohort):
    """A participant who has completed every required module but the last one, so a newcomer
    sees a certificate arrive within a minute of completing that module. Safe to run again:
    the services keep the first time a module was read and its quiz passed."""
    from cms.selectors import course_modules
    from training.quizzes.selectors import module_quiz
    from training.services import mark_module_read, record_quiz_passed

    username, first, last, email = SECOND_PARTICIPANT
    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"first_name": first, "last_name": last, "email": email}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
        mark_email_confirmed(user=user)
    enrollment = enroll(user=user, cohort=cohort)
    required = [m for m in course_modules(cohort.course) if m.required]
    for module in required[:-1]:
        # She read the module and passed its quiz (the demo keeps no attempts of hers).
        mark_module_read(user=user, module_id=module.pk)
        if module_quiz(module.pk) is not None:
            record_quiz_passed(enrollment_id=enrollment.pk, module_id=module.pk)
