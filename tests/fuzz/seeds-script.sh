#!/bin/bash
# Seeds for fuzz_script (see seeds-files.sh).
exec bash "$(dirname "$0")/seeds-files.sh" script "$1"
