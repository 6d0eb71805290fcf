#!/bin/bash
# zfs-replication-metric TEXTFILE_DIR PEER DATASET: record that DATASET reached PEER just now, for the node
# exporter's textfile collector (written to a temporary file and renamed, so a scrape never sees half of it).
# Run by syncoid-PEER.service after every successful replication.
set -euo pipefail
dir=$1 peer=$2 dataset=$3
file="$dir/zfs-replication-$peer-${dataset//\//_}.prom"
tmp=$(mktemp "$dir/.zfs-replication.XXXXXX")
cat >"$tmp" <<METRIC
# HELP goldentooth_zfs_replication_last_success_timestamp_seconds When syncoid last replicated the dataset to the peer.
# TYPE goldentooth_zfs_replication_last_success_timestamp_seconds gauge
goldentooth_zfs_replication_last_success_timestamp_seconds{dataset="$dataset",peer="$peer"} $(date +%s)
METRIC
chmod 0644 "$tmp"
mv -f "$tmp" "$file"
