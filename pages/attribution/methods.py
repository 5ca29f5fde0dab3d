"""The method picker and the settings the chosen method reads (its spec's `uses`): the page never branches per
method, and each setting's widget comes from its declaration in MethodSettings."""

from __future__ import annotations

import streamlit as st

from core.attribution.methods import METHODS
from pages.attribution.state import STATE


def method_controls(features: str) -> None:
    """features: what a feature is for this subject, said under the settings."""
    spec = METHODS[STATE.widget("method")]
    st.caption(spec.explains)
    with st.expander("Method settings", expanded=False):
        for name in (*spec.uses, "precision"):
            STATE.widget(name)
        st.caption(features)
