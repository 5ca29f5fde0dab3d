"""Attributions, as the navigation runs it: the page itself is the package pages/attribution/."""

from pages.attribution.page import render

render()
