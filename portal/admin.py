"""Django admin for Lode's people: email log-in, a role, and optionally a customer account."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse

from ideas import services
from portal.models import User


def normalise_email(form: forms.ModelForm) -> str:
    """The email lower-cased, as UserManager stores it, and refused if taken in any case.

    The database's Lower(email) constraint would refuse a case-variant too, but only with a
    generic message; this one names the field.
    """
    email = User.objects.normalize_email(form.cleaned_data.get("email", "")).lower()
    taken = User.objects.filter(email__iexact=email)
    if form.instance.pk is not None:
        taken = taken.exclude(pk=form.instance.pk)
    if email and taken.exists():
        raise ValidationError("A user with this email address already exists.")
    return email


class UserCreationForm(AdminUserCreationForm):
    """Django's admin creation form (with the "set a password or not" choice), keyed on email."""

    class Meta:
        model = User
        fields = ("email", "name", "role", "account")

    def clean_email(self) -> str:
        return normalise_email(self)


class UserChangeForm(DjangoUserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def clean_email(self) -> str:
        return normalise_email(self)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm

    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("name", "role", "account")}),
        (
            "Permissions",
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    # Admin rights are granted on the change page after creation, as in Django's own UserAdmin.
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "name",
                    "role",
                    "account",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")

    list_display = ("email", "name", "role", "account", "is_active", "date_joined")
    list_filter = ("role", "is_active", "is_staff", "is_superuser", "account__segment")
    list_select_related = ("account",)
    search_fields = ("email", "name", "account__name")
    autocomplete_fields = ["account"]
    ordering = ("email",)
    date_hierarchy = "date_joined"
    actions = ["export_data", "delete_and_anonymise"]

    @admin.action(description="Export data (JSON)")
    def export_data(self, request: HttpRequest, queryset: QuerySet[User]) -> HttpResponse:
        response = JsonResponse(
            {str(user.pk): services.user_export(user=user) for user in queryset},
            json_dumps_params={"indent": 2},
        )
        response["Content-Disposition"] = 'attachment; filename="lode-user-data.json"'
        return response

    @admin.action(description="Delete and anonymise", permissions=["delete"])
    def delete_and_anonymise(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        count = 0
        for user in queryset.exclude(pk=request.user.pk):
            services.user_delete(user=user, actor=request.user)
            count += 1
        self.message_user(request, f"{count} user(s) deleted and anonymised.")
