"""Optimizer race, as the navigation runs it: the page itself is the package pages/race/."""

from pages.race.page import render

render()
