"""The node layer's steps: each converges one part of a host's operating system over SSH (a `.py` that derives
its parameters from config, beside the static `.sh` that runs on the node), and `NodeOs`, which wires them."""
