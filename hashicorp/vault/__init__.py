"""Vault: typed agent configuration rendered as JSON, its install, bootstrap and rolling-restart steps."""
