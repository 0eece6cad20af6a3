"""Wagtail's user forms with the rule the profile follows: an address belongs to one account
(compared regardless of case; the database's unique index is the last word, this is the message).
Installed through Wagtail's users app config (``accounts.wagtail_users``)."""

from django import forms
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views.users import UserViewSet

from accounts import emails


class UniqueEmailMixin:
    def clean_email(self):
        email = (self.cleaned_data.get("email") or "").strip()
        if email and emails.email_taken(email, except_user_id=self.instance.pk):
            raise forms.ValidationError(emails.EMAIL_TAKEN)
        return email


class AccountCreationForm(UniqueEmailMixin, UserCreationForm):
    pass


class AccountEditForm(UniqueEmailMixin, UserEditForm):
    pass


class AccountUserViewSet(UserViewSet):
    def get_form_class(self, for_update=False):
        return AccountEditForm if for_update else AccountCreationForm
