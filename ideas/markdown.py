"""Markdown for idea bodies and comments, rendered and then sanitised with nh3 (Ammonia).

Whatever the markdown says, the HTML that leaves here has no scripts, no event attributes,
no inline styles and no `javascript:` links: only the tags and URL schemes listed below.
"""

import functools
import html as html_lib
import threading
from typing import Any

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "del", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}


_converters = threading.local()


def _converter(name: str, **options: Any) -> markdown_lib.Markdown:
    """One Markdown converter of each kind per thread, reset between texts: building one
    (with its extensions) costs more than converting a comment."""
    converter = getattr(_converters, name, None)
    if converter is None:
        converter = markdown_lib.Markdown(**options)
        setattr(_converters, name, converter)
    return converter.reset()


def render(text: str) -> SafeString:
    """Markdown to safe HTML. Headings are demoted (# becomes h3) to keep page structure."""
    return mark_safe(_render(text or ""))  # noqa: S308 - sanitised by nh3 in _render


# A popular idea's page shows the same 50 comments to everyone who opens it: the latest few
# thousand rendered texts (a few MB) are kept rather than rendered again.
@functools.lru_cache(maxsize=2048)
def _render(text: str) -> str:
    html = _converter(
        "full",
        extensions=["fenced_code", "sane_lists", "tables", "nl2br"],
        output_format="html",
    ).convert(text)
    for level in (2, 1):  # h1/h2 belong to the page, not to user text
        html = html.replace(f"<h{level}>", f"<h{level + 2}>").replace(
            f"</h{level}>", f"</h{level + 2}>"
        )
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    )


# A list page shows 20 excerpts and the same pages are read over and over: remembering the
# latest few thousand (a few MB) takes the markdown out of most list renders.
@functools.lru_cache(maxsize=2048)
def plain_excerpt(text: str, length: int = 180) -> str:
    """Rendered then stripped of all tags: an excerpt without markdown syntax."""
    html = _converter("plain", output_format="html").convert(text or "")
    # Tags stripped, entities decoded: the template escapes the result again.
    plain = " ".join(html_lib.unescape(nh3.clean(html, tags=set())).split())
    if len(plain) <= length:
        return plain
    return plain[: length - 1].rsplit(" ", 1)[0] + "…"
