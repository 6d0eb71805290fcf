"""The offline evaluator: runs the real program under the Pulumi SDK's mock monitor (no CLI, no credentials,
no network) and turns what it registered into a plan, a graph, rendered files and policy findings.
"""
