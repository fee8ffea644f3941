from django import template
from django.conf import settings
from django.utils.safestring import SafeString

from ideas import markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    return markdown.render(text)


@register.filter
def excerpt(text: str, length: int = 180) -> str:
    return markdown.plain_excerpt(text, int(length))


@register.filter
def money(value) -> str:
    """An amount in whole units with the portal's currency: USD 120,000."""
    if value is None or value == "":
        return "—"
    return f"{settings.LODE_CURRENCY} {value:,.0f}"
