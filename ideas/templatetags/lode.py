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


SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "AUD": "A$", "CAD": "C$"}


def _currency(amount: str) -> str:
    symbol = SYMBOLS.get(settings.LODE_CURRENCY)
    return f"{symbol}{amount}" if symbol else f"{settings.LODE_CURRENCY} {amount}"


@register.filter
def money(value) -> str:
    """An amount in whole units with the portal's currency: $120,000 (or CHF 120,000)."""
    if value is None or value == "":
        return "—"
    return _currency(f"{value:,.0f}")


@register.filter
def money_short(value) -> str:
    """A compact amount for summaries: $1.2M, $240k, $900."""
    if value is None or value == "":
        return "—"
    value = float(value)
    for threshold, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= threshold:
            number = f"{value / threshold:.1f}".removesuffix(".0")
            return _currency(f"{number}{suffix}")
    return _currency(f"{value:,.0f}")


@register.filter
def fixed(value, places: int = 2) -> str:
    """A number with `places` decimals, like floatformat but a tenth of its cost (the board
    shows about 700 of them): 1.50, -0.25, and 0.00 rather than -0.00."""
    if value is None or value == "":
        return ""
    try:
        text = f"{float(value):.{int(places)}f}"
    except (TypeError, ValueError):
        return ""
    return text[1:] if text.startswith("-") and not text.strip("-0.") else text


@register.filter
def get(mapping: dict, key: str):
    """mapping|get:key, for dictionaries keyed by a variable."""
    return mapping.get(key) if hasattr(mapping, "get") else None
