"""Cluster-agnostic building blocks: SSH targets, static remote scripts, remote steps and files, the render sink.

Every remote command in the program is made by `components.remote_step.StepRunner`, so none can forget its defaults.
"""
