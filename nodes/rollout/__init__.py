"""The node layer's rollout: reboot windows, quorum gates, Kubernetes drains (issue 11 item 4)."""
