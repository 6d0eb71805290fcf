"""SeaweedFS: masters (raft), volume servers on the Pi 5s' NVMe, filers, the Kubernetes CSI driver."""
