"""Nomad jobs as typed Python: a model that renders the JSON jobspec the Nomad API takes, and the samples."""
