"""BERT attention, as the navigation runs it: the page itself is the package pages/attention/."""

from pages.attention.page import render

render()
