from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from accounts.services import WRONG_PASSWORD


class PlainLabels:
    """Labels without Django's trailing colon (they read better, also in error summaries)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class TokenForm(PlainLabels, forms.Form):
    token = forms.CharField(
        label=_("Sechsstelliger Code aus der Authenticator-App"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}
        ),
        error_messages={"required": _("Bitte geben Sie den Code ein.")},
    )


class ProfileForm(PlainLabels, forms.ModelForm):
    class Meta:
        model = get_user_model()
        fields = ["first_name", "last_name", "email"]
        labels = {
            "first_name": _("Vorname"),
            "last_name": _("Nachname"),
            "email": _("E-Mail-Adresse"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, autocomplete in (
            ("first_name", "given-name"),
            ("last_name", "family-name"),
            ("email", "email"),
        ):
            self.fields[name].widget.attrs["autocomplete"] = autocomplete
        self.fields["email"].required = True
        self.fields["email"].error_messages["required"] = _(
            "Bitte geben Sie Ihre E-Mail-Adresse ein."
        )


class PasswordConfirmForm(PlainLabels, forms.Form):
    """Asks for the password again before an irreversible step."""

    password = forms.CharField(
        label=_("Ihr Passwort"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Bitte geben Sie Ihr Passwort ein.")},
    )
    confirm = forms.BooleanField(
        label=_("Ich habe verstanden, dass die Löschung nicht rückgängig gemacht werden kann."),
        error_messages={"required": _("Bitte bestätigen Sie, dass Sie das Konto löschen möchten.")},
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(WRONG_PASSWORD)
        return password
