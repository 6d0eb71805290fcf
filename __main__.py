"""GoldenTooth: read and validate the stack config, build the cluster, export its outputs."""

from cluster.program import main

main()
