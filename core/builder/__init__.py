"""Small fully connected networks on 2-D data: spec → torch module, trainer, layer-by-layer trace, hand mode."""
