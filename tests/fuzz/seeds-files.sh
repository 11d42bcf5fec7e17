#!/bin/bash
# SPDX-License-Identifier: MIT
# Seeds from real files for the fuzzers whose inputs are configs or kernels:
#   seeds-files.sh script|cfgconv|elf|bzimage CORPUS_DIR
#  script   every grub.cfg of the field cases ($PVBOOT_CASES, else
#           tests/cases in the source tree), embed/default.cfg and
#           the reproducers in tests/regress (inputs that once crashed)
#  cfgconv  the cases' menu.lst/grub.conf, extlinux/syslinux configs, BLS
#           entries and grubenv blocks
#  elf      GRUB's PV images (x86_64 and i386 ELF with Xen notes) and a
#           host ELF executable (no Xen notes)
#  bzimage  GRUB's x86_64 PV image raw and in every compression the loader
#           decodes (gzip xz lzma zstd lz4 lzop bzip2), and Debian's bzImage
#           (libFuzzer keeps its first -max_len bytes)
# A source that is missing is skipped (the fuzzer still runs).
set -euo pipefail
what=$1 corpus=$2
src=$(cd "$(dirname "$0")/../.." && pwd)
cases=${PVBOOT_CASES:-$src/tests/cases}
n=0
add() {  # FILE [NAME]: copy into the corpus under a unique name
    [ -f "$1" ] && [ -s "$1" ] || return 0
    n=$((n + 1))
    cp "$1" "$corpus/$n-${2:-$(basename "$1")}"
}
case_files() {  # find predicates -> NUL-separated files of the cases
    [ -d "$cases" ] || return 0
    find "$cases" -type f "$@" -size -256k -print0
}
case "$what" in
script)
    add "$src/embed/default.cfg"
    for f in "$src"/tests/regress/*.cfg; do add "$f"; done
    while IFS= read -r -d '' f; do add "$f"; done < <(case_files -name grub.cfg)
    ;;
cfgconv)
    while IFS= read -r -d '' f; do add "$f"; done < <(case_files \( -name menu.lst -o -name grub.conf \
        -o -name extlinux.conf -o -name syslinux.cfg -o -name grubenv -o -path '*/loader/entries/*.conf' \))
    ;;
elf)
    add /usr/lib/grub-xen/grub-x86_64-xen.bin
    add /usr/lib/grub-xen/grub-i386-xen.bin
    add /usr/lib/grub-xen/grub-i386-xen_pvh.bin
    add /bin/true
    ;;
bzimage)
    g=/usr/lib/grub-xen/grub-x86_64-xen.bin
    if [ -s "$g" ]; then
        add "$g"
        for c in gzip xz lzma zstd lz4 lzop bzip2; do
            command -v $c >/dev/null || continue
            $c -c "$g" >"$corpus/grub.$c" 2>/dev/null && n=$((n + 1)) || rm -f "$corpus/grub.$c"
        done
    fi
    for k in /boot/vmlinuz-*; do add "$k"; break; done
    ;;
*) echo "seeds-files.sh: unknown target $what" >&2; exit 2 ;;
esac
echo "seeds-files.sh $what: $n files"
