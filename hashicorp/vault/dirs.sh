#!/bin/bash
# Vault's raft data and audit log directories, owned by the vault user. The raft directory is Vault's storage:
# it is created when missing and never emptied or moved. Parameters: GT_RAFT, GT_AUDIT_DIR.
gt_ensure_dir "$GT_RAFT" 0700 vault vault
gt_ensure_dir "$GT_AUDIT_DIR" 0750 vault vault
