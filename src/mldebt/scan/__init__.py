"""Static ML-debt scanner: one module per rule family; findings out."""
