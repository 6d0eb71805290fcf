"""Vault policies as code, written by the configuration step (`vault policy write` only when the text differs)."""

POLICIES: dict[str, str] = {
    # What a node may read once it logged in with its PKI host certificate (auth/cert, role `nodes`).
    "node": 'path "secret/data/nodes/*" { capabilities = ["read"] }\n'
    'path "secret/metadata/nodes/*" { capabilities = ["list", "read"] }\n',
    # Prometheus reads Vault's metrics with a token when unauthenticated metrics access is turned off.
    "metrics": 'path "sys/metrics" { capabilities = ["read"] }\n',
}
