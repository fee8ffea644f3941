"""Markdown for idea bodies and comments, rendered and then sanitised with nh3 (Ammonia).

Whatever the markdown says, the HTML that leaves here has no scripts, no event attributes,
no inline styles and no `javascript:` links: only the tags and URL schemes listed below.
"""

import functools
import html as html_lib
import threading

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "del", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}


def render(text: str) -> SafeString:
    """Markdown to safe HTML. Headings are demoted (# becomes h3) to keep page structure."""
    html = markdown_lib.markdown(
        text or "",
        extensions=["fenced_code", "sane_lists", "tables", "nl2br"],
        output_format="html",
    )
    for level in (2, 1):  # h1/h2 belong to the page, not to user text
        html = html.replace(f"<h{level}>", f"<h{level + 2}>").replace(
            f"</h{level}>", f"</h{level + 2}>"
        )
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    )
    return mark_safe(clean)  # noqa: S308 - nh3 has just sanitised it


_converters = threading.local()


def _plain_converter() -> markdown_lib.Markdown:
    """One Markdown converter per thread, reset between texts: building one costs about as
    much as converting a short text."""
    converter = getattr(_converters, "plain", None)
    if converter is None:
        converter = _converters.plain = markdown_lib.Markdown(output_format="html")
    return converter.reset()


# A list page shows 20 excerpts and the same pages are read over and over: remembering the
# latest few thousand (a few MB) takes the markdown out of most list renders.
@functools.lru_cache(maxsize=2048)
def plain_excerpt(text: str, length: int = 180) -> str:
    """Rendered then stripped of all tags: an excerpt without markdown syntax."""
    html = _plain_converter().convert(text or "")
    # Tags stripped, entities decoded: the template escapes the result again.
    plain = " ".join(html_lib.unescape(nh3.clean(html, tags=set())).split())
    if len(plain) <= length:
        return plain
    return plain[: length - 1].rsplit(" ", 1)[0] + "…"
