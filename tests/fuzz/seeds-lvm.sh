#!/bin/bash
# Seeds for fuzz_lvm (see lvm_md_seeds.py).
exec python3 "$(dirname "$0")/lvm_md_seeds.py" lvm "$1"
