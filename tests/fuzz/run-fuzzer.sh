#!/bin/bash
# run-fuzzer.sh BINARY NAME: run one libFuzzer target for a bounded time on
# a seed corpus made at run time by the real tools (called by ctest for
# every tests/fuzz/fuzz_*.c when configured with -DPVBOOT_FUZZ=ON).
#
# Seeds: built in here for fuzz_part, fuzz_ext2, fuzz_fat, fuzz_iso9660,
# fuzz_tar; any target may instead provide tests/fuzz/seeds-NAME.sh, called
# with the corpus directory as its argument; otherwise it starts empty.
# Inputs kept in tests/fuzz/regress/NAME/ (former findings) are added.
# PVBOOT_FUZZ_TIME: seconds per target (default 60).  A crash, sanitizer
# report, leak or a single input running over 10 s fails the test; the
# reproducer is kept in $PVBOOT_BUILD/fuzz-artifacts/NAME/.
#
# For coverage-guided runs build the hosted library instrumented too:
#   CC=clang cmake -S . -B build-fuzz -DPVBOOT_FUZZ=ON -DPVBOOT_MODULES=OFF \
#       -DCMAKE_C_FLAGS=-fsanitize=fuzzer-no-link,address,undefined
set -euo pipefail
bin=$1
name=$2
here=$(cd "$(dirname "$0")" && pwd)
time=${PVBOOT_FUZZ_TIME:-60}
work=$(mktemp -d "${TMPDIR:-/tmp}/pvboot-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
corpus=$work/corpus
mkdir -p "$corpus"
art=${PVBOOT_BUILD:-$work}/fuzz-artifacts/$name
mkdir -p "$art"
export MTOOLS_SKIP_CHECK=1 TZ=UTC

small_tree() {
    local d=$1
    mkdir -p "$d/boot/grub" "$d/dir/sub"
    echo hello >"$d/hello.txt"
    head -c 3000 /dev/urandom >"$d/boot/vmlinuz"
    printf 'menuentry x {\n linux /boot/vmlinuz\n}\n' >"$d/boot/grub/grub.cfg"
    for i in $(seq 1 30); do echo "$i" >"$d/dir/f$i"; done
    echo "a long name" >"$d/dir/sub/a-long-file-name-for-vfat-and-joliet.txt"
    if [ "${2:-}" != nolinks ]; then
        ln -s hello.txt "$d/link"
        ln -s "$(printf 'x%.0s' $(seq 1 80))/../hello.txt" "$d/slowlink"
        truncate -s 200000 "$d/sparse"
    fi
}

seed_ext2() {
    small_tree "$work/t"
    mke2fs -q -F -t ext2 -b 1024 -N 64 -d "$work/t" "$corpus/ext2.img" 400K
    mke2fs -q -F -t ext4 -b 1024 -N 64 -O ^has_journal -d "$work/t" "$corpus/ext4.img" 600K
    mke2fs -q -F -t ext4 -b 1024 -N 64 -O ^has_journal,inline_data -d "$work/t" "$corpus/inline.img" 600K
    mke2fs -q -F -t ext4 -b 1024 -N 64 -O ^has_journal,^extents,^64bit -d "$work/t" "$corpus/blockmap.img" 600K
    # a journal that needs recovery (csum v3, 64bit tags, a revoke): the
    # smallest journal (1024 blocks) holding /hello.txt's block rewritten
    if command -v debugfs >/dev/null; then
        mke2fs -q -F -t ext4 -b 1024 -N 64 -J size=1 -O 64bit,metadata_csum -d "$work/t" "$work/j.img" 2300K
        local hb
        hb=$(debugfs -R "bmap /hello.txt 0" "$work/j.img" 2>/dev/null)
        { printf 'HELLO\n'; head -c 1018 /dev/zero; } >"$work/jblk"
        printf 'jo -c -v 3\njw -b %s %s\njw -r 5\njc\n' "$hb" "$work/jblk" |
            debugfs -w -f - "$work/j.img" >/dev/null 2>&1 && mv "$work/j.img" "$corpus/journal.img"
    fi
}
seed_fat() {
    small_tree "$work/t" nolinks
    mkfs.vfat -C -F 12 "$corpus/fat12.img" 300 >/dev/null
    mcopy -s -i "$corpus/fat12.img" "$work/t"/* ::/
    mkfs.vfat -C -F 16 -s 1 "$corpus/fat16.img" 2200 >/dev/null
    mcopy -s -i "$corpus/fat16.img" "$work/t"/* ::/
}
seed_iso9660() {
    small_tree "$work/t"
    rm -f "$work/t/sparse"
    xorriso -as mkisofs -quiet -R -J -o "$corpus/rr.iso" "$work/t" 2>/dev/null
    xorriso -rockridge off -outdev "$corpus/plain.iso" -map "$work/t/dir" / >/dev/null 2>&1
}
seed_tar() {
    small_tree "$work/t"
    tar -C "$work/t" --format=gnu -cf "$corpus/gnu.tar" .
    tar -C "$work/t" --format=pax -cf "$corpus/pax.tar" .
    tar -C "$work/t" --format=ustar -cf "$corpus/ustar.tar" ./hello.txt ./boot
}
seed_part() {
    small_tree "$work/t" nolinks
    mkfs.vfat -C -F 12 "$work/p.img" 200 >/dev/null
    mcopy -s -i "$work/p.img" "$work/t/hello.txt" ::/
    truncate -s 1M "$corpus/msdos.img"
    printf 'label: dos\nstart=64, size=400, type=c\nstart=500, size=1000, type=5\nstart=600, size=400, type=c\nstart=1100, size=300, type=83\n' |
        sfdisk -q "$corpus/msdos.img"
    dd if="$work/p.img" of="$corpus/msdos.img" bs=512 seek=600 conv=notrunc status=none
    truncate -s 1M "$corpus/gpt.img"
    sgdisk -o -a 8 -n 1:64:+200K -c 1:esp -n 2:512:+300K "$corpus/gpt.img" >/dev/null
    dd if="$work/p.img" of="$corpus/gpt.img" bs=512 seek=64 conv=notrunc status=none
}

short=${name#fuzz_}
if [ -x "$here/seeds-$short.sh" ] || [ -f "$here/seeds-$short.sh" ]; then
    bash "$here/seeds-$short.sh" "$corpus"
elif declare -F "seed_$short" >/dev/null; then
    "seed_$short"
fi
# inputs that once found a bug (scripts/fuzz-campaign) stay in every run
if [ -d "$here/regress/$name" ]; then
    cp "$here/regress/$name"/* "$corpus"/ 2>/dev/null || true
fi
echo "$name: $(ls "$corpus" | wc -l) seeds, ${time}s"
"$bin" -max_total_time="$time" -timeout=10 -rss_limit_mb=2048 -max_len=2400000 \
    -artifact_prefix="$art/" -print_final_stats=1 "$corpus" 2>&1 | grep -av '^"' | tail -25
exit "${PIPESTATUS[0]}"
