"""Authelia on `roles.authelia`: typed configuration (model.py, config.py), install and service (component.py)."""
