"""Reads with rules: what a user may see, listings, search. Simple filters are QuerySet methods."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

from ideas.choices import Visibility

if TYPE_CHECKING:
    from portal.models import User


class IdeaQuerySet(models.QuerySet):
    def visible_to(self, user: User | None) -> IdeaQuerySet:
        """Ideas this user may see: all for the company's people, public ones for others."""
        if user is not None and user.is_authenticated and user.is_internal:
            return self
        return self.filter(visibility=Visibility.PUBLIC)

    def listed(self) -> IdeaQuerySet:
        """Ideas that stand on their own (merged ones live on through their target)."""
        return self.filter(merged_into__isnull=True)

    def for_list(self) -> IdeaQuerySet:
        """What a list row shows, in a fixed number of queries whatever the page length."""
        return self.select_related("category")
