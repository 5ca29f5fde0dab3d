"""Icon-only buttons that a screen reader can name. Streamlit 1.67 gives a button with an empty label the accessible
name of its icon ("add icon"), and `help` becomes a tooltip, not a name; so the button keeps its words as its label
and app.py's style hides them from sight (not from the accessibility tree) inside containers keyed ICON_ONLY-…"""

from __future__ import annotations

from typing import Any

ICON_ONLY = "icon-only"
STYLE = (
    f'<style>[class*="st-key-{ICON_ONLY}-"] button [data-testid="stMarkdownContainer"] '
    "{position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap}"
    "</style>"
)


def icon_button(where: Any, label: str, icon: str, key: str, **options: Any) -> bool:
    """`where.button` showing only `icon`; `label` (what the button does) is its accessible name and tooltip."""
    box = where.container(key=f"{ICON_ONLY}-{key.replace('.', '-')}", width="content")
    return box.button(label, icon=icon, key=key, help=options.pop("help", label), **options)
