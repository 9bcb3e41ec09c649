"""Configuration: the one `Settings` (the environment, read by the composition roots) and the small frozen views
lower layers take instead."""
