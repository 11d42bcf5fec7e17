#!/bin/bash
# Seeds for fuzz_cfgconv (see seeds-files.sh).
exec bash "$(dirname "$0")/seeds-files.sh" cfgconv "$1"
