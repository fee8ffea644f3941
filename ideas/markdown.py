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


# Texts up to this long are remembered once rendered (below); longer ones, rare, are rendered
# each time, so the memory stays a few MB whatever people write.
REMEMBERED_CHARS = 2_000


def render(text: str) -> SafeString:
    """Markdown to safe HTML. Headings are demoted (# becomes h3) to keep page structure."""
    text = text or ""
    html = _remembered_render(text) if len(text) <= REMEMBERED_CHARS else _render(text)
    return mark_safe(html)  # noqa: S308 - sanitised by nh3 in _render


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


# A popular idea's page shows the same 50 comments to everyone who opens it: the latest few
# thousand rendered texts are kept rather than rendered again.
_remembered_render = functools.lru_cache(maxsize=2048)(_render)


def plain_excerpt(text: str, length: int = 180) -> str:
    """Rendered then stripped of all tags: an excerpt without markdown syntax."""
    text = text or ""
    if len(text) <= REMEMBERED_CHARS:
        return _remembered_excerpt(text, length)
    return _excerpt(text, length)


def _excerpt(text: str, length: int) -> str:
    html = _converter("plain", output_format="html").convert(text)
    # Tags stripped, entities decoded: the template escapes the result again.
    plain = " ".join(html_lib.unescape(nh3.clean(html, tags=set())).split())
    if len(plain) <= length:
        return plain
    return plain[: length - 1].rsplit(" ", 1)[0] + "…"


# A list page shows 20 excerpts and the same pages are read over and over: remembering the
# latest few thousand takes the markdown out of most list renders.
_remembered_excerpt = functools.lru_cache(maxsize=2048)(_excerpt)
