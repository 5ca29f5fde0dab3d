"""Network builder, as the navigation runs it: the page itself is the package pages/builder/."""

from pages.builder.page import render

render()
