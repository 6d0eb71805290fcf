"""The inventory model (hardware models, NodeSpec) and the Node component that converges one host over SSH."""
