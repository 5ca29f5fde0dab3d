"""The Attributions tool's state: its set-up from the link and the widgets (pages.kit)."""

from __future__ import annotations

from core.attribution.setup import AttributionSetup
from pages.kit import Shared, ToolState, left_out_warnings, show_warnings

STATE = ToolState("attribution", AttributionSetup)
OPENED_NETWORK = Shared(
    "attribution.opened_network",
    "the 2-D network of an export opened in the Export tab (a NetworkUnderStudy), explained instead of the "
    "session's until the user goes back to it",
)
LINK_NAMES = {"text": "text", "text_b": "text B"}  # set-up fields long enough to stay out of a link


def current() -> AttributionSetup:
    """The validated set-up of the widgets drawn, its link written, and a word when a text is too long for it."""
    setup = STATE.current()
    show_warnings(left_out_warnings(setup, LINK_NAMES))
    return setup
