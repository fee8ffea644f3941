"""The fixed vocabularies of Lode's domain, kept valid in the database by CHECK constraints."""

from django.db import models


class Segment(models.TextChoices):
    TECHNOLOGY = "technology", "Technology"
    FINANCIAL = "financial", "Financial services"
    HEALTHCARE = "healthcare", "Healthcare"
    RETAIL = "retail", "Retail & e-commerce"
    MANUFACTURING = "manufacturing", "Manufacturing"
    PUBLIC = "public", "Public sector"
    EDUCATION = "education", "Education"
    MEDIA = "media", "Media"


class Region(models.TextChoices):
    NORTH_AMERICA = "na", "North America"
    EMEA = "emea", "EMEA"
    APAC = "apac", "APAC"
    LATAM = "latam", "Latin America"


class Plan(models.TextChoices):
    FREE = "free", "Free"
    STARTER = "starter", "Starter"
    BUSINESS = "business", "Business"
    ENTERPRISE = "enterprise", "Enterprise"


class Lifecycle(models.TextChoices):
    PROSPECT = "prospect", "Prospect"
    CUSTOMER = "customer", "Customer"
    CHURNED = "churned", "Churned"


class Status(models.TextChoices):
    NEW = "new", "New"
    UNDER_REVIEW = "under_review", "Under review"
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    SHIPPED = "shipped", "Shipped"
    DECLINED = "declined", "Declined"


# Statuses a PM has decided on; changing into one of them freezes a decision record.
DECISION_STATUSES = frozenset({Status.PLANNED, Status.SHIPPED, Status.DECLINED})
OPEN_STATUSES = frozenset({Status.NEW, Status.UNDER_REVIEW, Status.PLANNED, Status.IN_PROGRESS})


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public"
    INTERNAL = "internal", "Internal"


class IdeaSource(models.TextChoices):
    CUSTOMER = "customer", "Customer (forum)"
    SALES = "sales", "Sales"
    STAFF = "staff", "Staff"


class SignalKind(models.TextChoices):
    FEATURE_REQUEST = "feature_request", "Feature request"
    COMPETITOR = "competitor", "Competitor mention"
    PRICING = "pricing", "Pricing objection"
    LOSS_REASON = "loss_reason", "Reason for a lost deal"
    PRAISE = "praise", "Praise"
    OTHER = "other", "Other"


class Source(models.TextChoices):
    MEETING = "meeting", "Meeting"
    CALL = "call", "Call"
    EMAIL = "email", "Email"
    EVENT = "event", "Event"
    MEAL = "meal", "Meal or informal chat"
    SUPPORT = "support", "Support ticket"
    INTERVIEW = "interview", "Churn or loss interview"
    OTHER = "other", "Other"


class Importance(models.TextChoices):
    NICE_TO_HAVE = "nice_to_have", "Nice to have"
    IMPORTANT = "important", "Important"
    DEAL_BREAKER = "deal_breaker", "Deal-breaker"


class DealStage(models.TextChoices):
    PROSPECT = "prospect", "Prospect"
    OPEN = "open", "Open deal"
    WON = "won", "Won"
    LOST = "lost", "Lost"
    RENEWAL_AT_RISK = "renewal_at_risk", "Renewal at risk"


class SubscriptionReason(models.TextChoices):
    AUTHOR = "author", "Author"
    VOTER = "voter", "Voted"
    COMMENTER = "commenter", "Commented"
    SIGNAL = "signal", "Captured a signal"
    FOLLOWER = "follower", "Followed"


class ActivityKind(models.TextChoices):
    STATUS = "status", "Status changed"
    MERGE = "merge", "Merged"
    VISIBILITY = "visibility", "Visibility changed"
    RESPONSE = "response", "Response published"
    EDIT = "edit", "Edited"
    ROUTE = "route", "Signal routed"
    OWNER = "owner", "Owner assigned"


class NotificationKind(models.TextChoices):
    STATUS = "status", "Status changed"
    MERGED = "merged", "Merged"
    RESPONSE = "response", "Response"
    CHANGELOG = "changelog", "Shipped"


class EmailFrequency(models.TextChoices):
    IMMEDIATELY = "immediately", "Immediately"
    DAILY = "daily", "Once a day, in a digest"
    OFF = "off", "Never (only in Lode)"


class WebhookEvent(models.TextChoices):
    IDEA_CREATED = "idea.created", "Idea created"
    IDEA_STATUS_CHANGED = "idea.status_changed", "Idea status changed"
    IDEA_MERGED = "idea.merged", "Ideas merged"
    SIGNAL_CAPTURED = "signal.captured", "Signal captured"
    PING = "ping", "Test ping"


# What an admin can subscribe a webhook to; a ping is only ever sent on request.
SUBSCRIBABLE_WEBHOOK_EVENTS = tuple(event for event in WebhookEvent if event != WebhookEvent.PING)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
