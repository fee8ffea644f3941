from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from ideas.choices import EmailFrequency


class Role(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    SALES = "sales", "Sales rep"
    STAFF = "staff", "Staff"
    PM = "pm", "Product manager"
    ADMIN = "admin", "Admin"


# Roles that work for the company and may see internal ideas and evidence.
INTERNAL_ROLES = frozenset({Role.SALES, Role.STAFF, Role.PM, Role.ADMIN})
TRIAGE_ROLES = frozenset({Role.PM, Role.ADMIN})


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> "User":
        if not email:
            raise ValueError("Users need an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> "User":
        extra.setdefault("role", Role.ADMIN)
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, email: str) -> "User":
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an email address; `role` decides what Lode shows them."""

    email = models.EmailField("email address", max_length=254, unique=True)
    name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CUSTOMER)
    account = models.ForeignKey(
        "ideas.Account",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="users",
        help_text="The customer organisation this person belongs to (customers only).",
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        "Django admin access",
        default=False,
        help_text="Whether this person may sign in to the Django admin.",
    )
    date_joined = models.DateTimeField(default=timezone.now)
    email_frequency = models.CharField(
        "email me about ideas",
        max_length=16,
        choices=EmailFrequency.choices,
        default=EmailFrequency.IMMEDIATELY,
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="user_role_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(email_frequency__in=EmailFrequency.values),
                name="user_email_frequency_valid",
            ),
        ]
        indexes = [
            # The few PMs and admins among many customers (owner pickers, notifications).
            models.Index(fields=["role"], name="user_role"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or self.email.split("@")[0]

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.display_name

    @property
    def is_internal(self) -> bool:
        """Works for the company: may see internal ideas and evidence."""
        return self.is_active and self.role in INTERNAL_ROLES

    @property
    def is_pm(self) -> bool:
        return self.is_active and self.role in TRIAGE_ROLES
