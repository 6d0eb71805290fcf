"""ZFS: a pool per node on its modelled disks, datasets on the primary, sanoid snapshots, syncoid replication."""
