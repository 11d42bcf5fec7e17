#!/bin/bash
# Seeds for fuzz_elf (see seeds-files.sh).
exec bash "$(dirname "$0")/seeds-files.sh" elf "$1"
