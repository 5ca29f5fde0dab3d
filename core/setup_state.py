"""How a tool's set-up travels: a dataclass ⇄ URL query parameters ⇄ JSON.

A set-up is a frozen dataclass whose fields are `str`, `int`, `float`, `bool`, `tuple[...]` of those, an
optional (`| None`) number or bool, or a group: a set-up dataclass of its own, whose fields travel in the parent's
place under their own names (`core.settings.flat_types`), so the link and the JSON stay flat. Query
values are strings (Streamlit's `st.query_params`), so each is parsed by the field's declared type; anything that
does not parse, or that the field's `validate` rejects, falls back to the default with a warning the page can
show. Nothing typed by a user is ever evaluated.

A long value (a pasted paragraph) travels zlib-compressed in URL-safe base64 under its own key, `<field>.z`, up to
a bound: a value that stays too long even compressed is left out of the link (`left_out_of_link` names it, so the
page can say so); a compressed value that does not decode is ignored with a warning, like any other bad value.
"""

from __future__ import annotations

import base64
import json
import math
import types
import typing
import unicodedata
import zlib
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, TypeVar
from urllib.parse import unquote

from core.settings import build, flat_types, flat_values
from core.settings import problems as declared_problems

T = TypeVar("T")

MAX_VALUE_CHARS = 2000  # a longer value is compressed for the link (a longer plain one in a link is refused)
MAX_PACKED_CHARS = 8000  # a value longer than this even compressed stays out of the link: URLs much over 8 KB are
# cut by servers and proxies. Typical prose up to ~15,000 characters fits; BERT-family models read only the first
# 256-512 tokens (about 1,000-2,000 characters) of a text anyway.
MAX_TEXT_CHARS = 200_000  # the most any value may hold once read (bounds what a compressed value may expand to):
# the Network builder's own points, up to 5,000 rows of CSV, take about 110,000 characters
PACKED = ".z"  # suffix of the query key under which a compressed value travels
QUOTE_CHARS = 80  # a user's value quoted in a message is cut after this many characters
_INVISIBLE = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}  # control, format (bidi overrides), surrogate, unassigned…
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class SetupError(ValueError):
    """A value that cannot be read into the set-up's field type."""


def quoted(value: object, limit: int = QUOTE_CHARS) -> str:
    """`value` in quotes for a message: invisible characters (NUL, bidi overrides, line breaks, unpaired surrogates)
    shown as escapes such as `\\x00`, and a value over `limit` characters cut, saying how long it was.

    Plain text, not Markdown: pages show every message through `core.markdown_literal.literal`, so nothing a user
    typed or linked is read as Markdown (emphasis, links, LaTeX, colour directives) wherever it is quoted."""
    text = str(value)
    shown = "".join(
        ch.encode("unicode_escape").decode("ascii") if unicodedata.category(ch) in _INVISIBLE else ch
        for ch in text[:limit]
    )
    cut = f"… ({len(text):,} characters)" if len(text) > limit else ""
    return f"'{shown}'{cut}"


def _parse_scalar(text: str, kind: type) -> Any:
    if kind is str:
        return text
    text = text.strip()
    if kind is bool:
        low = text.lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise SetupError(f"{quoted(text)} is not true/false")
    if kind is int:
        try:
            return int(text)
        except ValueError as e:
            raise SetupError(f"{quoted(text)} is not a whole number") from e
    if kind is float:
        try:
            value = float(text)
        except ValueError as e:
            raise SetupError(f"{quoted(text)} is not a number") from e
        if not math.isfinite(value):
            raise SetupError(f"{quoted(text)} is not a finite number")
        return value
    raise SetupError(f"unsupported field type {kind!r}")


def _field_types(cls: type) -> dict[str, Any]:
    types_ = flat_types(cls)
    for name, annotation in types_.items():
        if typing.get_origin(annotation) in (typing.Union, types.UnionType) and str in typing.get_args(annotation):
            raise TypeError(f"{cls.__name__}.{name}: an optional str cannot round-trip (None vs 'none'); use str")
    return types_


@lru_cache(maxsize=16)
def pack(text: str) -> str:
    """`text` as zlib-compressed UTF-8 in URL-safe base64 without padding (only [A-Za-z0-9_-]: safe in a URL).

    Cached: a page writes its link and checks what was left out of it on every run, with the same long text."""
    return base64.urlsafe_b64encode(zlib.compress(text.encode("utf-8"), 9)).decode("ascii").rstrip("=")


def unpack(packed: str) -> str:
    """The text that `pack` packed; SetupError for anything else (corrupt, cut short, or too long)."""
    if len(packed) > MAX_PACKED_CHARS:
        raise SetupError(f"compressed value longer than {MAX_PACKED_CHARS:,} characters")
    limit = 4 * MAX_TEXT_CHARS  # UTF-8 bytes: a zip bomb stops here
    packed = packed.strip()
    inflate = zlib.decompressobj()
    try:
        raw = inflate.decompress(base64.urlsafe_b64decode(packed + "=" * (-len(packed) % 4)), limit + 1)
        text = raw.decode("utf-8") if inflate.eof and not inflate.unused_data else None
    except (ValueError, zlib.error) as e:  # binascii.Error and UnicodeDecodeError are ValueErrors
        raise SetupError("compressed value is damaged (was the link copied whole?)") from e
    if len(raw) > limit or (text is not None and len(text) > MAX_TEXT_CHARS):
        raise SetupError(f"compressed value expands to more than {MAX_TEXT_CHARS:,} characters")
    if text is None:
        raise SetupError("compressed value is cut short or has extra data (was the link copied whole?)")
    return text


def _parse(text: str, annotation: Any) -> Any:
    if len(text) > MAX_TEXT_CHARS:
        raise SetupError(f"value longer than {MAX_TEXT_CHARS:,} characters")
    try:  # a browser's link cannot carry an unpaired surrogate, but a caller's dict can: it would break the page
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise SetupError(f"{quoted(text)} is not valid Unicode text") from None
    origin = typing.get_origin(annotation)
    if origin is tuple:
        (item_type, *_rest) = typing.get_args(annotation)
        if item_type is str:  # items are escaped by _format, so a comma inside an item survives
            return tuple(unquote(p) for p in text.split(",")) if text else ()
        parts = [p for p in text.split(",") if p.strip()] if text.strip() else []
        return tuple(_parse_scalar(p, item_type) for p in parts)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if text.strip().lower() in {"", "none"}:
            return None
        return _parse(text, args[0])
    return _parse_scalar(text, annotation)


def _escape_item(value: Any) -> str:
    text = _format(value)
    return text.replace("%", "%25").replace(",", "%2C") if isinstance(value, str) else text


def _format(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return ",".join(_escape_item(v) for v in value)
    if value is None:
        return "none"
    return str(value)


def _link_items(setup: Any) -> typing.Iterator[tuple[str, str, str | None]]:
    """(field name, query key, query value or None when too long even compressed) for the non-default fields."""
    default = flat_values(type(setup)())
    for name, value in flat_values(setup).items():
        if value == default[name]:
            continue
        text = _format(value)
        if len(text) <= MAX_VALUE_CHARS:
            yield name, name, text
        else:
            packed = pack(text)
            yield name, name + PACKED, packed if len(packed) <= MAX_PACKED_CHARS else None


def to_query(setup: Any) -> dict[str, str]:
    """The set-up as string query parameters, one per field (only the fields that differ from the default).

    A value over MAX_VALUE_CHARS travels compressed under `<field>.z`; one still over MAX_PACKED_CHARS is left out.
    """
    return {key: text for _name, key, text in _link_items(setup) if text is not None}


def left_out_of_link(setup: Any) -> list[str]:
    """The fields `to_query` leaves out: too long for a link even compressed (the link then carries the default)."""
    return [name for name, _key, text in _link_items(setup) if text is None]


def _query_text(params: Mapping[str, Any], name: str) -> str | None:
    """A field's value in a link: compressed under `<name>.z`, or plain under its name; None when absent."""
    for key in (name + PACKED, name):
        if key in params:
            raw = params[key]
            if isinstance(raw, list):  # st.query_params.to_dict() gives the last value; a raw dict may give lists
                raw = raw[-1] if raw else ""
            if key != name:
                return unpack(str(raw))
            if len(str(raw)) > MAX_VALUE_CHARS:
                raise SetupError(f"value longer than {MAX_VALUE_CHARS:,} characters (long values travel compressed)")
            return str(raw)
    return None


def from_query(cls: type[T], params: Mapping[str, str]) -> tuple[T, list[str]]:
    """Read a set-up from query parameters; unknown keys are ignored, bad values fall back with a warning.

    Fields declared with `core.settings.setting` are checked against their bounds and choices, then the set-up's
    own `validate(self) -> list[str]` if it has one; fields named in a problem ("field: message") are reset to
    their defaults.
    """
    texts: dict[str, str] = {}
    warnings: list[str] = []
    for name in _field_types(cls):
        try:
            text = _query_text(params, name)
        except SetupError as e:
            warnings.append(f"Ignored link parameter '{name}': {e}; its default is used.")
            continue
        if text is not None:
            texts[name] = text
    return _from_texts(cls, texts, warnings)


def _from_texts(cls: type[T], texts: Mapping[str, str], warnings: list[str]) -> tuple[T, list[str]]:
    """Parse each field's text by its declared type, then validate; anything bad falls back with a warning."""
    types_ = _field_types(cls)
    values: dict[str, Any] = {}
    for name, annotation in types_.items():
        if name not in texts:
            continue
        try:
            values[name] = _parse(texts[name], annotation)
        except SetupError as e:
            warnings.append(f"Ignored link parameter '{name}': {e}.")
    try:
        setup = build(cls, values)
    except (TypeError, ValueError) as e:
        return cls(), [*warnings, f"Ignored the link's set-up ({e}); showing the defaults."]
    problems = declared_problems(setup)
    if problems:
        bad = {p.split(":", 1)[0].strip() for p in problems}
        warnings += [f"Ignored link parameter {p.rstrip('.')}." for p in problems]
        if not bad <= set(types_):  # a problem that names no field: trust nothing from the link
            return cls(), warnings
        default = flat_values(cls())
        setup = build(cls, flat_values(setup) | {n: default[n] for n in bad})
        if declared_problems(setup):  # fields that are only wrong together: fall back entirely
            return cls(), warnings
    return setup, warnings


def to_json(setup: Any) -> str:
    """All fields as pretty JSON (tuples become lists), with the set-up's class name for a reader."""
    body = flat_values(setup)
    return json.dumps({"setup": type(setup).__name__, "fields": body}, indent=2)


def from_json(cls: type[T], text: str) -> tuple[T, list[str]]:
    """Read a set-up exported by `to_json`; raises SetupError for text that is not such a document."""
    try:
        doc = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise SetupError(f"not valid JSON ({e.msg if hasattr(e, 'msg') else e})") from e
    except RecursionError:  # "[[[[…" thousands deep
        raise SetupError("not an NN Explorer set-up: its JSON is nested thousands of levels deep") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("fields"), dict):
        raise SetupError("not an NN Explorer set-up: expected an object with a 'fields' object")
    if doc.get("setup") not in (None, cls.__name__):
        raise SetupError(f"this is a {quoted(doc.get('setup'))} set-up, not a {cls.__name__}")
    texts = {k: _format(tuple(v) if isinstance(v, list) else v) for k, v in doc["fields"].items()}
    return _from_texts(cls, texts, [])
