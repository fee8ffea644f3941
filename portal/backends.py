"""Authentication backends that load the signed-in user with their unread-notification
count in the same query, so the bell in the navigation costs no extra query per page."""

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth.backends import ModelBackend
from django.db.models import OuterRef


class UnreadCountMixin:
    def get_user(self, user_id):
        from ideas.models import Notification
        from ideas.queries import count_rows
        from portal.models import User

        unread = Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True)
        try:
            user = User._default_manager.annotate(unread_notifications=count_rows(unread)).get(
                pk=user_id
            )
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


class LodeModelBackend(UnreadCountMixin, ModelBackend):
    """Django's backend (the admin's log-in), with the unread count."""


class LodeAllauthBackend(UnreadCountMixin, AuthenticationBackend):
    """allauth's backend (the site's log-in), with the unread count."""
