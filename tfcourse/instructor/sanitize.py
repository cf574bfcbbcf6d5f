"""Pages made from a submission show its markup as text or harmless HTML, and never run its scripts.

Stops a submission's scripts (and event handlers) running in the pages nbgrader renders from it: the
feedback page a learner opens, and formgrader's view of the submission, which runs inside the
instructor's authenticated Jupyter server, where a script could call the server's API as the
instructor. Both pages are made by nbconvert's ``HTMLExporter`` (with nbgrader's ``feedback`` and
``formgrade`` templates), which does not sanitise by default; and nbgrader's templates render
markdown cells without nbconvert's cleaning even when ``sanitize_html`` is on.

:func:`configure` (called from nbgrader_config.py) sets, on every ``HTMLExporter`` nbgrader makes:

- ``sanitize_html = True``: text/html and text/markdown outputs go through nbconvert's ``clean_html``
  (bleach: a few harmless tags; other tags are shown escaped, as text); application/javascript outputs,
  widget views and widget state are left out. SVG outputs are embedded as ``<img>`` data URIs either
  way, and a browser runs no script in an image.
- the ``markdown2html`` filter replaced by :func:`markdown_to_safe_html`: markdown rendered as nbconvert
  renders it (attachments embedded), then cleaned with bleach. Markdown's own HTML (headings, tables,
  code, links) stays; any other tag is shown escaped, event handlers are dropped, links keep only
  http(s), mailto and relative targets, and images only ``data:image/...`` sources (attachments).
"""

from __future__ import annotations

import re
from typing import Any

from bleach.css_sanitizer import CSSSanitizer
from bleach.sanitizer import Cleaner
from jinja2 import pass_context

# What nbconvert's markdown renderer writes for markdown syntax (and pygments for code blocks).
MARKDOWN_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "s", "span", "strong", "sub", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})
# "data" is allowed as a protocol only so that attachments survive; _allowed_attribute keeps it to images.
PROTOCOLS = frozenset({"http", "https", "mailto", "data"})
EMBEDDED_IMAGE = re.compile(r"data:image/(png|jpeg|gif|svg\+xml);base64,[a-z0-9+/=]*\Z")
# What bleach ignores when it reads a URL's scheme (control characters, spaces, backticks).
URL_NOISE = re.compile(r"[`\x00-\x20\x7f-\xa0\s]+")


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    """Whether ``tag`` may keep attribute ``name`` with ``value`` (event handlers never may)."""
    url = URL_NOISE.sub("", value).lower()
    if name in ("class", "id"):  # heading anchors and pygments' highlighting
        return True
    if tag == "a":
        return name == "title" or (name == "href" and not url.startswith("data:"))
    if tag == "img":
        # Only embedded images: an outside address would tell its server who opened the page.
        return name in ("alt", "title", "width", "height") or (name == "src" and bool(EMBEDDED_IMAGE.match(url)))
    return tag in ("th", "td") and name == "style"  # a table column's text-align


def _cleaner() -> Cleaner:
    # A new one per call: bleach's Cleaner is not thread-safe, and formgrader renders inside a server.
    return Cleaner(tags=MARKDOWN_TAGS, attributes=_allowed_attribute, protocols=PROTOCOLS,
                   css_sanitizer=CSSSanitizer(allowed_css_properties=["text-align"]))


def clean_markdown_html(html: str) -> str:
    """``html`` rendered from markdown, with every tag, attribute and URL outside markdown's own escaped or dropped."""
    return _cleaner().clean(html)


@pass_context
def markdown_to_safe_html(context: Any, source: str) -> str:
    """Jinja filter: markdown to HTML as nbconvert renders it (the cell's attachments embedded), then cleaned."""
    from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

    attachments = (context.get("cell") or {}).get("attachments", {})
    renderer = IPythonRenderer(escape=False, attachments=attachments)
    return clean_markdown_html(MarkdownWithMath(renderer=renderer).render(source))


def configure(c: Any) -> None:
    """Sanitise every ``HTMLExporter`` nbgrader makes (generate_feedback's, formgrader's); ``c``: nbgrader's config."""
    c.HTMLExporter.sanitize_html = True
    c.HTMLExporter.filters = {"markdown2html": f"{__name__}.{markdown_to_safe_html.__name__}"}
