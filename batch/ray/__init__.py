"""Ray: a pinned version installed once into its own environment, the head and a unit per worker."""
