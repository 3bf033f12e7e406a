"""Use cases that join the detectors and the store; the CLI and web call these, nothing else."""
