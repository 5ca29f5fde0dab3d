"""Plotly figures of the optimizer race: pure functions from core.optim results to figures."""
