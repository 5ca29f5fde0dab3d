"""Typed text escaped for Markdown shows literally: checked by rendering with markdown-it (a CommonMark reference,
with GitHub's tables and strikethrough on) and by undoing the escapes."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.markdown_literal import HARD_BREAK, literal
from tests.markdown import rendered, visible

ACTIVE = "\\`*_{}[]()#+-.!|~<>$:&='\"/@%^?;,"
# Not drawn: NUL (Markdown shows U+FFFD), and other controls and Unicode blanks, which markdown-it trims at the ends
# of a paragraph like JavaScript's trim() where CommonMark (and Streamlit's parser) trims spaces and tabs only.
TEXT = st.text(
    alphabet=st.sampled_from([*ACTIVE, " ", "\t", "\n", "\r", "a", "1", "é", "中", "*", "_"])
    | st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")),
    max_size=40,
)


def unescape(markdown: str) -> str:
    """The inverse of `literal`: hard breaks back to line breaks, escapes and character references undone."""
    return "\n".join(
        re.sub(r"\\(.)|&#(\d+);", lambda m: m.group(1) or chr(int(m.group(2))), line)
        for line in markdown.split(HARD_BREAK)
    )


def lines(text: str) -> str:
    return re.sub(r"\r\n|\r", "\n", text)


@given(TEXT)
def test_any_text_renders_as_itself_with_no_markup(text):
    text_shown, tags = rendered(literal(text))
    assert tags <= {"p", "br"}  # no emphasis, code, link, heading, list, table, strikethrough
    assert text_shown == visible(text)


@given(TEXT)
def test_the_escaped_form_has_no_unescaped_markdown_character_and_unescapes_to_the_input(text):
    escaped = literal(text)
    assert unescape(escaped) == lines(text)
    bare = re.sub(r"\\[!-/:-@\[-`{-~]|&#(9|32);", "", escaped.replace(HARD_BREAK, ""))
    assert not re.search(r"[!-/:-@\[-`{-~]", bare)


@pytest.mark.parametrize(
    "text",
    [
        "(x-1.5)**2",
        "__import__",
        "x_1 * y_2 * z",
        "`rm -rf`",
        "$x^2$ costs $5",
        ":red[alarm] :material/home: :smile:",
        "# not a heading",
        "1. not a list",
        "    not code",
        "a | b\n--|--\nc | d",
        "~~gone~~",
        "<b>bold</b>",
        "[l](http://x)",
        "www.example.com",
        "line one\nline two\\",
    ],
)
def test_examples_the_pages_meet_show_literally(text):
    text_shown, tags = rendered(literal(text))
    assert text_shown == visible(text) and tags <= {"p", "br"}


def test_streamlit_rewrites_and_plugins_find_nothing_to_act_on():
    """Streamlit (1.67, StreamlitMarkdown.js) turns ':material/' into an icon before parsing, loads emoji where the
    source matches its shortcode pattern, and maths where it finds `$…$` outside code and escapes."""
    escaped = literal(":material/home: :smile: $x$ :red[a]")
    assert ":material/" not in escaped
    assert not re.search(r":(?!material/|streamlit:)[\w+-][\w_+-]*:", escaped)
    assert not re.search(r"(?<!\\)\$", escaped)
