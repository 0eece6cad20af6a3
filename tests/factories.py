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
