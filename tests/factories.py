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
