from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from accounts import emails
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

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if emails.email_taken(email, except_user_id=self.instance.pk):
            raise forms.ValidationError(emails.EMAIL_TAKEN)
        return email


# Longer names are refused before authentication: django-axes records a failed login's username
# in a 255-character column (a longer one answered with a 500), and no account has such a name.
LOGIN_USERNAME_MAX_LENGTH = 254
LOGIN_USERNAME_TOO_LONG = _("Der Benutzername darf höchstens %(max)d Zeichen lang sein.")


class LoginForm(AuthenticationForm):
    """Django's login form with a length limit on the username that is also checked (Django's
    only sets the input's maxlength attribute)."""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        if len(username) > LOGIN_USERNAME_MAX_LENGTH:
            raise forms.ValidationError(
                LOGIN_USERNAME_TOO_LONG % {"max": LOGIN_USERNAME_MAX_LENGTH}, code="max_length"
            )
        return super().clean()


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
        if not user.has_usable_password():
            # An account from the organisation login has no password here: it has just
            # signed in at its provider, the confirmation box suffices.
            del self.fields["password"]

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(WRONG_PASSWORD)
        return password


class CurrentPasswordForm(PlainLabels, forms.Form):
    """The password again, before a second factor is enrolled in a session that did not just
    log in with it."""

    password = forms.CharField(
        label=_("Ihr Passwort"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Bitte geben Sie Ihr Passwort ein.")},
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(WRONG_PASSWORD)
        return password


class PasswordResetRequestForm(PlainLabels, PasswordResetForm):
    """Asks for the account's email address. Saving mails a link to every active account with
    that address (usually one) and to nobody otherwise; the page after it is the same either
    way, so the form does not tell whether an address is registered."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        email = self.fields["email"]
        email.label = _("E-Mail-Adresse")
        email.error_messages.update(
            required=_("Bitte geben Sie Ihre E-Mail-Adresse ein."),
            invalid=_("Bitte geben Sie eine gültige E-Mail-Adresse ein, z. B. name@example.ch."),
        )

    def save(self, **kwargs):
        """Enqueues one task with the address, for every address: the lookup, the allowance
        per account and the mail happen in the task. The request thus does the same work
        whether or not the address has an account (Django's form looks the accounts up and
        sends at once, and the difference shows in the response time). The keyword arguments
        of Django's view (domain, templates, token generator) are not used: the task builds
        the link from ``WAGTAILADMIN_BASE_URL``, not from the request's host."""
        from accounts import tasks

        tasks.request_password_reset.delay_on_commit(self.cleaned_data["email"])


class NewPasswordForm(PlainLabels, SetPasswordForm):
    """The new password, twice; the password validators of the settings apply (at least 12
    characters, not too common, not only digits, not like the name)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        first, second = self.fields["new_password1"], self.fields["new_password2"]
        first.widget.attrs["autocomplete"] = second.widget.attrs["autocomplete"] = "new-password"
        first.error_messages["required"] = _("Bitte geben Sie ein neues Passwort ein.")
        second.label = _("Neues Passwort wiederholen")
        second.help_text = ""
        second.error_messages["required"] = _("Bitte geben Sie das neue Passwort noch einmal ein.")

    def clean(self):
        # As Django's, but what the validators say belongs to the first field, where the password
        # is chosen (Django puts it on the repetition); after a mismatch there is nothing to judge.
        self.validate_passwords("new_password1", "new_password2")
        if not self.has_error("new_password2"):
            self.validate_password_for_user(self.user, "new_password1")
        return forms.Form.clean(self)


class ChangePasswordForm(NewPasswordForm):
    """The current password, then the new one twice (the validators apply to the new one).

    Wrong current passwords count against an hourly allowance per account
    (``accounts.profile.password_change_blocked``): a session alone does not let anyone
    guess the password."""

    field_order = ["old_password", "new_password1", "new_password2"]

    old_password = forms.CharField(
        label=_("Aktuelles Passwort"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Bitte geben Sie Ihr aktuelles Passwort ein.")},
    )

    def clean_old_password(self):
        from accounts import profile

        password = self.cleaned_data["old_password"]
        if profile.password_change_blocked(user=self.user):
            raise forms.ValidationError(profile.PASSWORD_CHANGE_TOO_MANY, code="too_many")
        if not self.user.check_password(password):
            profile.count_wrong_password(user=self.user)
            raise forms.ValidationError(WRONG_PASSWORD, code="password_incorrect")
        return password

    def clean(self):
        if self.has_error("old_password"):
            return forms.Form.clean(self)  # nothing more to judge without the right password
        return super().clean()


class QualificationChoiceForm(PlainLabels, forms.Form):
    qualification_form = forms.ChoiceField(
        label=_("So erscheint Ihre Qualifikation auf dem Zertifikat"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Bitte wählen Sie eine Bezeichnung."),
            "invalid_choice": _("Bitte wählen Sie eine der angebotenen Bezeichnungen."),
        },
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["qualification_form"].choices = choices
