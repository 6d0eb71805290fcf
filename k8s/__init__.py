"""The Kubernetes layer: HAProxy API load balancer, kubeadm bootstrap and joins, the provider, cluster software
(Calico, MetalLB, Argo CD, ExternalDNS, the GPU device plugin), the reusable `App` component and upgrades."""
