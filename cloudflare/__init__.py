"""Cloudflare for GoldenTooth: a tunnel with its ingress rules and the proxied DNS records of public apps.
Imported only when `goldentooth:cloudflare.enabled` is set (the SDK costs over a second to import)."""
