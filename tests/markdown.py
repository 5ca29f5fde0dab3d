"""What a reader sees of a Markdown string: rendered by markdown-it (a CommonMark reference, installed with Streamlit's
`rich`), with GitHub's tables and strikethrough on, as a browser shows the text. AppTest gives the Markdown source
of st.markdown, st.error…; tests that look for a message's words read it through `shown`."""

from __future__ import annotations

import html
import re

from markdown_it import MarkdownIt

RENDER = MarkdownIt("commonmark").enable(["strikethrough", "table"]).render


def visible(text: str) -> str:
    """What a browser shows of plain text: runs of blanks as one space, none around line breaks, no empty lines."""
    text = re.sub(r"[ \t]+", " ", re.sub(r"\r\n?", "\n", text))
    return re.sub(r" ?\n[ \n]*", "\n", text).strip(" \n")


def rendered(markdown: str) -> tuple[str, set[str]]:
    """(the text shown for `markdown`, line breaks and paragraphs as one '\\n'; the HTML tags it used)."""
    out = RENDER(markdown)
    tags = set(re.findall(r"<(\w+)", out))
    text = re.sub(r"<br />|</?p>", "\n", out)
    return visible(html.unescape(re.sub(r"<(?!br />|/?p>)[^>]*>", "", text))), tags


def shown(markdown: str) -> str:
    """The text shown for `markdown`, markup removed."""
    return rendered(markdown)[0]
