"""The stack configuration as typed, frozen data: models, secrets, loading and the cross-field rules.

Nothing here registers resources; `config.load` turns raw stack config into a validated `ClusterSpec`.
"""
