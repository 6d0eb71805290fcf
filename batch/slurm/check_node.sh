#!/bin/bash
# Before slurmd starts: what slurmd finds on this node (`slurmd -C`) must cover what slurm.conf promises for
# it. slurmctld drains a node that registers with less (state INVALID), so stop here with both numbers.
# Params: GT_NODE_NAME, GT_CPUS, GT_REAL_MEMORY (MiB).
found=$(slurmd -C | head -n 1)
have_cpus="" have_memory=""
for field in $found; do
  case $field in
    CPUs=*) have_cpus=${field#CPUs=} ;;
    RealMemory=*) have_memory=${field#RealMemory=} ;;
  esac
done
if [ -z "$have_cpus" ] || [ -z "$have_memory" ]; then
  echo "error: $(hostname): cannot read CPUs and RealMemory from 'slurmd -C': $found" >&2
  exit 1
fi
problems=()
if [ "$have_cpus" -lt "$GT_CPUS" ]; then
  problems+=("CPUs=$GT_CPUS but slurmd finds $have_cpus")
fi
if [ "$have_memory" -lt "$GT_REAL_MEMORY" ]; then
  problems+=("RealMemory=$GT_REAL_MEMORY MiB but slurmd finds $have_memory MiB (lower it with goldentooth:batch.slurm.realMemoryMarginPercent)")
fi
if [ "${#problems[@]}" -gt 0 ]; then
  printf 'error: %s: slurm.conf promises NodeName=%s %s; refusing to start slurmd\n' \
    "$(hostname)" "$GT_NODE_NAME" "$(IFS=';'; echo "${problems[*]}")" >&2
  exit 1
fi
