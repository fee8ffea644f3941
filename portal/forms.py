"""Lode's versions of allauth's forms: the site's labels, and a name at sign-up."""

from allauth.account.forms import AddEmailForm as AllauthAddEmailForm
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms

from portal.models import User

# allauth says "Email"; the rest of Lode (and the browser tests) say "Email address".
EMAIL_LABEL = "Email address"


class LoginForm(AllauthLoginForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].label = EMAIL_LABEL
        if "remember" in self.fields:  # Absent when ACCOUNT_SESSION_REMEMBER is set.
            self.fields["remember"].label = "Keep me logged in"


class SignupForm(AllauthSignupForm):
    """allauth's sign-up plus an optional name; the adapter saves it into User.name."""

    name = forms.CharField(
        label="Your name",
        required=False,
        max_length=User._meta.get_field("name").max_length,
        help_text="Optional. Shown next to your ideas and comments.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    field_order = ["email", "name", "password1", "password2"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = EMAIL_LABEL

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())


class ResetPasswordForm(AllauthResetPasswordForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = EMAIL_LABEL


class AddEmailForm(AllauthAddEmailForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = EMAIL_LABEL


class AccountDeleteForm(forms.Form):
    """Deleting an account asks for the password again, so an unattended session cannot."""

    password = forms.CharField(
        label="Your password", strip=False, widget=forms.PasswordInput(attrs={"autofocus": True})
    )

    def __init__(self, user: User, *args, **kwargs) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password
