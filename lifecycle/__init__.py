"""Node lifecycle: the leave steps of every membership as one mechanism, quorum-safe membership changes, rebuilds."""
