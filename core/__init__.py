"""NN Explorer's computation library: no Streamlit here, so every result can be reproduced from a notebook."""
