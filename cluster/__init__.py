"""The composition root: `Cluster` wires every layer together; `program` is what `__main__.py` and the offline
evaluator both run, so the offline plan is the real program.
"""
