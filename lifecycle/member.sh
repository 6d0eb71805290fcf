#!/bin/bash
# The create of a leave step: $GT_NODE has joined $GT_MEMBERSHIP. Nothing changes on the host; the step exists so
# that its delete (the membership's leave script, stored in state with this host's connection) runs when the
# node is taken out of the role. A secret the leave needs arrives on stdin here too, and is not used.
# Parameters: GT_NODE, GT_MEMBERSHIP.
cat >/dev/null
