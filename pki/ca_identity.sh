#!/bin/bash
# Print the CA's public identity, the same text on every run (other steps take it on stdin, so any change of it
# re-runs exactly the steps that must follow a new root): the root's SHA-256 fingerprint, the root certificate,
# and the SSH host and user CA public keys. Parameters: GT_CA_DIR.
fingerprint=$(step certificate fingerprint "$GT_CA_DIR/certs/root_ca.crt")
printf 'fingerprint %s\n' "$fingerprint"
printf 'ssh-host-ca %s\n' "$(cut -d' ' -f1,2 "$GT_CA_DIR/certs/ssh_host_ca_key.pub")"
printf 'ssh-user-ca %s\n' "$(cut -d' ' -f1,2 "$GT_CA_DIR/certs/ssh_user_ca_key.pub")"
openssl x509 -in "$GT_CA_DIR/certs/root_ca.crt" -outform PEM
