#!/bin/bash
# HashiCorp's apt repository (deb822, its own keyring), once per node for Consul, Vault and Nomad alike.
# Parameters: GT_KEY_URL, GT_SOURCES (the deb822 text).
gt_apt_source hashicorp "$GT_KEY_URL" "$GT_SOURCES"
