#!/bin/bash
# Seeds for fuzz_xfs (see seeds-xfs-btrfs.sh).
exec bash "$(dirname "$0")/seeds-xfs-btrfs.sh" xfs "$1"
