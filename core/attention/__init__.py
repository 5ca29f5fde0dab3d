"""BERT attention: extraction, the float64 neuron view, rollout and flow, head statistics, ablation, export."""
