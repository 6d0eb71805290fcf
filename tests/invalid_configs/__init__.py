"""The invalid-config corpus: one YAML file per validation rule (an edit of the real stack plus the exact
violations it must produce), and `corpus.py`, which turns each into a stack file."""
