"""Figures of the BERT attention tool: pure functions from attention arrays and labels to Plotly figures."""
