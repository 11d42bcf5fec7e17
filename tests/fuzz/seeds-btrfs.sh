#!/bin/bash
# Seeds for fuzz_btrfs (see seeds-xfs-btrfs.sh).
exec bash "$(dirname "$0")/seeds-xfs-btrfs.sh" btrfs "$1"
