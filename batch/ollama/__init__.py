"""Ollama on the GPU node: a pinned, checksummed release, its hardened unit and GPU access."""
