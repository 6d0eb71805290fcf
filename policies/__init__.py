"""The CrossGuard policy pack (`pulumi preview --policy-pack policies`) and its rules, one module per group.
`__main__.py` only assembles the pack; `catalog.py` lists the rules that it and `goldentooth check` run."""
