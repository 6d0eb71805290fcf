#!/bin/bash
# Print the admin kubeconfig kubeadm wrote on the first control-plane node. The step's stdout is secret and
# its logging is off; the program rewrites the server to the load balancer and feeds the provider with it.
cat /etc/kubernetes/admin.conf
