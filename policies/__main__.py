"""The policy pack as the Pulumi CLI runs it (`pulumi preview --policy-pack policies`).

Only assembly here: constructing `PolicyPack` starts the analyzer's gRPC server and blocks forever, so
nothing else may import this file. Rules live in the sibling modules, listed in `catalog.py`.
"""

import sys
from pathlib import Path

# The CLI runs this file with the pack folder on sys.path; the rules import each other as `policies.*`.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi_policy import EnforcementLevel, PolicyPack

from policies.catalog import PACK_NAME, POLICIES

PolicyPack(PACK_NAME, policies=POLICIES, enforcement_level=EnforcementLevel.ADVISORY)
