"""Typed text shown as typed: a string escaped so that Markdown (Streamlit's st.markdown, st.error, st.caption…)
displays it character for character.

Streamlit renders those calls as Markdown, with GitHub's tables and strikethrough, `$…$` maths, `:red[…]` colours,
`:material/…:` icons and `:name:` emoji on top, so a formula `(x-1.5)**2` showed as `(x-1.5)*2` with half of it in
italics and `__import__` lost its underscores. CommonMark lets a backslash escape every ASCII punctuation character,
and `literal` escapes all of them: no emphasis, code, link, heading, list, table, maths or colour can start, and
Streamlit's textual rewrites find nothing (it turns `:material/` into an icon and loads emoji only where the source
holds `:name:`, both before parsing). Spaces and tabs at the ends of a line, which Markdown drops (or, four at the
start, turn into a code block), become character references, and each line break becomes a hard break (CR and CRLF
as well). What is left is what Markdown cannot show: a NUL, and runs of spaces, which the browser collapses.
"""

from __future__ import annotations

import re

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character
_EDGE_BLANKS = re.compile(r"^[ \t]+|[ \t]+$")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
HARD_BREAK = "  \n"


def _line(text: str) -> str:
    escaped = _PUNCTUATION.sub(r"\\\1", text)
    return _EDGE_BLANKS.sub(lambda m: "".join(f"&#{ord(c)};" for c in m.group()), escaped)


def literal(text: object) -> str:
    """`text` (any object, as `str`) escaped for Markdown so that it shows literally, e.g. inside an f-string given to
    st.error: `st.error(f"Your formula {literal(formula)} cannot be used")`."""
    return HARD_BREAK.join(_line(line) for line in _LINE_BREAK.split(str(text)))
