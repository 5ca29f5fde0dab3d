"""Captum attributions for the builder's 2-D networks and BERT-family models, each result with its checks.

problem.py (what is explained) · methods.py (the method registry) · text.py / network.py (tasks and baselines)
· explain.py (run + completeness) · faithfulness.py, robustness.py, agreement.py, sanity.py (checks) · export.py.
"""
