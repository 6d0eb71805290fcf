"""The PKI layer: Step-CA on `roles.stepCa`, trust in its root on every node, the certificates other layers ask
for (issued and renewed by `cert-renewer@` timers), SSH host and user certificates, and Authelia."""
