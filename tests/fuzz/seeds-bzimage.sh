#!/bin/bash
# Seeds for fuzz_bzimage (see seeds-files.sh).
exec bash "$(dirname "$0")/seeds-files.sh" bzimage "$1"
