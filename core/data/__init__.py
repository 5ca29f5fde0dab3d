"""2-D data for the network builder: the dataset registry, input features and CSV upload/export."""
