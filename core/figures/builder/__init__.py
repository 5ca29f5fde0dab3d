"""Figures of the network builder: pure functions from core results to Plotly figures (no Streamlit)."""
