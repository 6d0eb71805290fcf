"""Observability layer: Prometheus, Alertmanager, node_exporter with Pi probes, blackbox, Grafana, Loki, Vector.

It owns scrape targets and alert rules (built from every layer's contributions) and contributes its own."""
