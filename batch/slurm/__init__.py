"""Slurm: the munge key, slurm.conf/cgroup.conf/gres.conf from the inventory, controllers, compute nodes, Lmod."""
