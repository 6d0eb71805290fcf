#!/bin/bash
# Start slurmdbd once its config is in place; the controllers register with it after this.
gt_enable_now slurmdbd
