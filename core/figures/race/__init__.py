"""Plotly figures of the optimizer race: pure functions from core.race results to figures."""
