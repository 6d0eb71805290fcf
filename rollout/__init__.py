"""The rollout layer: reboot windows of nodes in service, after the bootstrap layers (issue 12)."""
