"""HashiCorp layer: Consul (catalogue, default-deny ACLs), Vault (raft storage, AWS KMS auto-unseal) and Nomad
(servers, clients, a GPU class, jobs as typed Python), all over TLS from the PKI layer's certificates."""
