"""Benchmarks, run by `make bench` and never by the tests: how long `goldentooth plan` takes and how much
memory it needs on the real stack and on generated inventories of 100 and 1000 nodes."""
