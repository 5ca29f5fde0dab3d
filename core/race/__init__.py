"""The optimizer race: 2-D test surfaces and real networks' losses, raced by real `torch.optim` classes."""
