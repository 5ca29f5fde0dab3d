"""How a cell must be written into a CSV so that a spreadsheet shows it as text instead of running it.

A spreadsheet that opens a CSV runs a cell beginning with '=', '+', '-' or '@' (and, in some, tab, carriage return
or NUL before them, or the full-width forms) as a formula: `=HYPERLINK(...)` sends data away, `@SUM(1)*cmd|...`
starts programs. Text typed by a user (a sentence, a racer, a model name) reaches our exports, so every cell goes
through here, following OWASP's rule: a text cell that begins with such a character gets a leading apostrophe,
which spreadsheets take as "this is text", and a text cell is quoted (its quotes doubled) whenever it holds a
character that splits cells or rows (',', ';', tab, line breaks, '"'; and '#', where a reader that skips our '#'
header lines would cut the row).

Quoting protects a cell only from a spreadsheet that splits at commas: one that splits at ';' or tabs (the
separator depends on the locale) sees the quotes in mid-cell and starts a new cell after each ';' inside the text.
So the rule applies inside a text too: after each ',', ';', tab, line break or '"', a formula character gets the
apostrophe, so no part of a text can begin a cell that runs, whatever the separator.

Numbers stay numbers: a cell (or a part after a separator) that is a plain number (`-0.5`, `1e-05`, `-inf`)
carries no formula and is written as it is. A part that begins with an apostrophe gets one more, so
`original_text` recovers every text exactly.

'#' header lines (`comment_line`) are not cells but a spreadsheet still splits them: their values are JSON whose
strings have ',' and ';' written as `\\u002c`, `\\u003b` (tabs and line breaks are escaped by JSON anyway), so
every cell after the first starts with the space after a JSON separator.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

import numpy as np

FORMULA_STARTS = frozenset("=+-@\t\r\0＝＋－＠")  # OWASP's list, NUL from ASVS 1.2.10, full-width forms
TEXT_MARK = "'"
_PLAIN_NUMBER = re.compile(r"[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf|nan)")
_CELL_STARTS = re.compile(r'([,;\t\r\n"])')  # after these some spreadsheet begins a new cell, row or quoted text
_NEEDS_QUOTES = re.compile(r'[,;\t\r\n"#]')


def is_plain_number(text: str) -> bool:
    """True for a number as Python or `format` writes it (`3`, `-0.5`, `1e-05`, `-inf`, `nan`): nothing to run."""
    return _PLAIN_NUMBER.fullmatch(text) is not None


def _needs_mark(text: str) -> bool:
    return text[:1] != "" and (text[0] in FORMULA_STARTS or text[0] == TEXT_MARK) and not is_plain_number(text)


def spreadsheet_text(text: str) -> str:
    """`text` as a spreadsheet shows it without running it: an apostrophe before a formula character (or before an
    apostrophe, so that the mark can be told from the text) at its start and after each separator in it; plain
    numbers unchanged."""
    parts = _CELL_STARTS.split(text)  # text, separator, text, ...
    inner = "".join(
        TEXT_MARK + part if i % 2 == 0 and i and _needs_mark(part) else part for i, part in enumerate(parts)
    )
    return TEXT_MARK + inner if _needs_mark(text) else inner


def original_text(cell: str) -> str:
    """The text `spreadsheet_text` was given, from a cell it wrote (as read back by any CSV reader)."""
    parts = _CELL_STARTS.split(cell)
    return "".join(part[1:] if i % 2 == 0 and part.startswith(TEXT_MARK) else part for i, part in enumerate(parts))


def csv_cell(value: object) -> str:
    """One cell as it goes into the file: numbers as Python writes them, None empty, anything else as text made
    safe by `spreadsheet_text` and quoted when it holds a character that splits cells or starts a comment."""
    if value is None:
        return ""
    if isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return repr(float(value))
    text = spreadsheet_text(str(value))
    return f'"{text.replace(chr(34), chr(34) * 2)}"' if _NEEDS_QUOTES.search(text) else text


def csv_line(cells: Iterable[object]) -> str:
    """One CSV record, '\\n'-terminated, every cell written by `csv_cell`."""
    return ",".join(map(csv_cell, cells)) + "\n"


# cell separators, and the line breaks that some readers (Python's str.splitlines) see, escaped inside JSON strings
_JSON_ESCAPES = str.maketrans({c: f"\\u{ord(c):04x}" for c in ",;\x85\u2028\u2029"})


def _json(value: object) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False).translate(_JSON_ESCAPES)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_json(str(k))}: {_json(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(map(_json, value)) + "]"
    return json.dumps(value)


def comment_line(key: str, value: object) -> str:
    """A `# key: <JSON>` header line (read the table with `comment="#"`; `json.loads` reads the value back) in
    which no cell a spreadsheet makes of it begins with user text. `key` is the program's, never the user's."""
    return f"# {key}: {_json(value)}\n"
