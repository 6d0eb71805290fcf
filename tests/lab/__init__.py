"""The SSH lab: throwaway hosts in network namespaces at the inventory's addresses, each with a real OpenSSH
server over a fixture root, that the node layer's registered steps are applied to over real SSH."""
