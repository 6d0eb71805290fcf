"""Batch and ML layer: Slurm with munge and Lmod module files on the NFS share, Ray, and Ollama on the GPU node."""
