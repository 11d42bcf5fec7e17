#!/bin/bash
# ext4 journals that need recovery are replayed in memory: what
# pvboot-fstest reads equals, byte for byte, what Linux (User-Mode Linux)
# reads after mounting a copy of the same image, and the image is never
# written.  The journals are written by debugfs (journal_open/write/close),
# which leaves committed transactions unreplayed: the blocks that differ
# between an image and a copy changed with debugfs become one transaction.
# Covered: directories created only in the journal, a file overwritten in
# place, a new file whose data starts with the journal magic (an escaped
# block), a block logged then revoked, 32-bit tags without checksums on
# an ext3-style image (block-mapped journal inode and files) with the
# sequence numbers wrapping, csum v2 with 1 KiB blocks, 64bit + csum v3
# (mkfs -O 64bit,metadata_csum), three transactions each;
# a bad commit checksum and a bad descriptor magic are reported and the
# filesystem read as before the journal; save_env refuses to write.
. "$(dirname "$0")/lib/fscommon.bash"
# shellcheck source-path=SCRIPTDIR source=lib/uml.sh
. "$(dirname "$0")/lib/uml.sh"
for t in mke2fs debugfs dumpe2fs linux.uml; do
    command -v "$t" >/dev/null || { echo "SKIP: $t missing"; exit 77; }
done

SRC=$WORK/src
mkdir -p "$SRC/boot/grub" "$SRC/d"
rand_bytes kernel 300000 >"$SRC/boot/vmlinuz"
printf 'set default=0\nmenuentry old {\n  linux /boot/vmlinuz\n}\n' >"$SRC/boot/grub/grub.cfg"
echo "hello, before" >"$SRC/hello.txt"
rand_bytes revoked 5000 >"$SRC/d/revoked.bin"
for i in $(seq 1 40); do echo "entry $i" >"$SRC/d/f$i"; done
{ printf '# GRUB Environment Block\nsaved_entry=old\n'; head -c $((1024 - 41)) /dev/zero | tr '\0' '#'; } \
    >"$SRC/boot/grub/grubenv"

NEW=$WORK/new
mkdir -p "$NEW"
rand_bytes newkernel 200000 >"$NEW/vmlinuz-new"
printf 'set default=0\nmenuentry new {\n  linux /boot/vmlinuz-new\n}\n' >"$NEW/grub.cfg"
{ printf '\xc0\x3b\x39\x98'; rand_bytes escaped 6000; } >"$NEW/escaped.bin"

# blk_of IMG PATH: first data block
blk_of() { debugfs -R "bmap $2 0" "$1" 2>/dev/null; }
bsize() { dumpe2fs -h "$1" 2>/dev/null | sed -n 's/^Block size: *//p'; }

# changed_blocks A B BS: blocks that differ, comma-separated, without the
# superblock's block (left as it is on disk, as a crash leaves it)
changed_blocks() {
    local sbblk=$((1024 / $3))
    { cmp -l "$1" "$2" || true; } | awk -v bs="$3" -v sb="$sbblk" '{ b = int(($1 - 1) / bs); if (b != sb && b != last) { print b; last = b } }' |
        paste -sd, -
}

# build NAME "MKE2FS-OPTS" "JOURNAL-OPEN-OPTS": $WORK/NAME.img whose
# journal holds (1) garbage logged for the first block of /d/revoked.bin,
# (2) the changes below, (3) a revoke of that block; $WORK/NAME.target is
# the image with the changes written directly
build() {
    local name=$1 mkopts=$2 jopts=$3 img=$WORK/$1.img tgt=$WORK/$1.target bs
    # shellcheck disable=SC2086
    mke2fs -q -F -t ext4 $mkopts -d "$SRC" "$img" 64M
    bs=$(bsize "$img")
    cp "$img" "$tgt"
    debugfs -w -f - "$tgt" >/dev/null 2>&1 <<EOF
mkdir /newdir
mkdir /newdir/sub
write $NEW/vmlinuz-new /newdir/sub/vmlinuz-new
write $NEW/escaped.bin /escaped.bin
rm /boot/grub/grub.cfg
write $NEW/grub.cfg /boot/grub/grub.cfg
EOF
    # overwritten in place: same inode, same block, new bytes
    printf 'hello, AFTER!' | dd of="$tgt" bs=1 seek=$(($(blk_of "$tgt" /hello.txt) * bs)) conv=notrunc status=none
    local blocks rblk
    blocks=$(changed_blocks "$img" "$tgt" "$bs")
    rblk=$(blk_of "$img" /d/revoked.bin)
    local n=0
    : >"$WORK/$name.blocks"
    for b in ${blocks//,/ }; do
        dd if="$tgt" bs="$bs" skip="$b" count=1 status=none >>"$WORK/$name.blocks"
        n=$((n + 1))
    done
    rand_bytes garbage "$bs" >"$WORK/garbage"
    if [ -n "${SEQ:-}" ]; then
        # the journal's next sequence number (s_sequence, be32 at 0x18 of
        # its superblock): the transactions then number across the wrap
        printf "$SEQ" | dd of="$img" bs=1 seek=$(($(debugfs -R "bmap <8> 0" "$img" 2>/dev/null) * bs + 24)) \
            conv=notrunc status=none
    fi
    # shellcheck disable=SC2086
    debugfs -w -f - "$img" >"$WORK/$name.jlog" 2>&1 <<EOF
jo $jopts
jw -b $rblk $WORK/garbage
jw -b $blocks $WORK/$name.blocks
jw -r $rblk
jc
EOF
    echo "$name: $n blocks logged, block $rblk revoked"
}

# linux_view NAME...: mount a copy of each image read-only in UML (which
# replays the journal into the copy) and copy its files to $WORK/NAME.linux
# (or, when Linux refuses to mount it, create $WORK/NAME.refused)
linux_view() {
    local imgs=() n letters=abcdefgh i=0
    echo 'mkdir -p /tmp/m' >"$WORK/uml.sh"
    for n in "$@"; do
        cp "$WORK/$n.img" "$WORK/$n.copy"
        imgs+=("$WORK/$n.copy")
        cat >>"$WORK/uml.sh" <<EOF
if mount -t ext4 -o ro /dev/ubd${letters:$i:1} /tmp/m; then
    mkdir -p $WORK/$n.linux
    cp -a /tmp/m/. $WORK/$n.linux/
    umount /tmp/m
else
    echo refused >$WORK/$n.refused
fi
EOF
        i=$((i + 1))
    done
    uml_run "$WORK" "$WORK/uml.sh" 256M "${imgs[@]}" || exit 1
}

SEQ='\xff\xff\xff\xfe' build plain "-b 4096 -O ^metadata_csum,^64bit,^extents,^flex_bg" ""
build csum2 "-b 1024 -O ^64bit" "-c -v 2"
build csum3 "-b 4096 -O 64bit,metadata_csum" "-c -v 3"
# the journal features debugfs gave each image
expect_eq "plain journal features" "journal_incompat_revoke" \
    "$(dumpe2fs -h "$WORK/plain.img" 2>/dev/null | sed -n 's/^Journal features: *//p')"
expect_eq "csum2 journal features" "journal_incompat_revoke journal_checksum_v2" \
    "$(dumpe2fs -h "$WORK/csum2.img" 2>/dev/null | sed -n 's/^Journal features: *//p')"
expect_eq "csum3 journal features" "journal_incompat_revoke journal_64bit journal_checksum_v3" \
    "$(dumpe2fs -h "$WORK/csum3.img" 2>/dev/null | sed -n 's/^Journal features: *//p')"

# the corrupted journals, from copies of csum3 before Linux saw it: one
# transaction each (the changes), then a byte flipped
corrupt_base() {
    local name=$1 img=$WORK/$1.img
    mke2fs -q -F -t ext4 -b 4096 -O 64bit,metadata_csum -d "$SRC" "$img" 64M
    cp "$img" "$WORK/$name.target"
    debugfs -w -R "mkdir /newdir" "$WORK/$name.target" >/dev/null 2>&1
    local blocks
    blocks=$(changed_blocks "$img" "$WORK/$name.target" 4096)
    : >"$WORK/$name.blocks"
    for b in ${blocks//,/ }; do
        dd if="$WORK/$name.target" bs=4096 skip="$b" count=1 status=none >>"$WORK/$name.blocks"
    done
    debugfs -w -f - "$img" >/dev/null 2>&1 <<EOF
jo -c -v 3
jw -b $blocks $WORK/$name.blocks
jc
EOF
}
# jblock IMG TYPE: journal block of the first block of TYPE (descriptor or
# commit) as logdump prints it, and its byte offset on the device
jblock() {
    debugfs -R logdump "$1" 2>/dev/null | sed -n "s/.*($2 block) at block \([0-9]*\).*/\1/p" | head -n1
}
jbyte() { echo $(($(debugfs -R "bmap <8> $2" "$1" 2>/dev/null) * 4096 + ${3:-0})); }
flip() {
    local b
    b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
    # shellcheck disable=SC2059
    printf "\\$(printf %03o $((b ^ 255)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
corrupt_base badcommit
CB=$(jblock "$WORK/badcommit.img" commit)
[ -n "$CB" ] && ok || fail "no commit block in logdump"
flip "$WORK/badcommit.img" "$(jbyte "$WORK/badcommit.img" "$CB" 16)"
corrupt_base baddesc
DB=$(jblock "$WORK/baddesc.img" descriptor)
[ -n "$DB" ] && ok || fail "no descriptor block in logdump"
flip "$WORK/baddesc.img" "$(jbyte "$WORK/baddesc.img" "$DB" 0)"

ALL="plain csum2 csum3 badcommit baddesc"
for n in $ALL; do
    case "$(dumpe2fs -h "$WORK/$n.img" 2>/dev/null | grep features)" in
    *needs_recovery*) ok ;; *) fail "$n: the journal does not need recovery" ;; esac
    sha256sum <"$WORK/$n.img" >"$WORK/$n.sum"
done

# shellcheck disable=SC2086
linux_view $ALL

for n in plain csum2 csum3; do
    # Linux saw the changes (the test would prove nothing otherwise)
    L=$WORK/$n.linux
    [ -f "$L/newdir/sub/vmlinuz-new" ] && cmp -s "$L/newdir/sub/vmlinuz-new" "$NEW/vmlinuz-new" && ok ||
        fail "$n: Linux does not show /newdir/sub/vmlinuz-new"
    expect_eq "$n: Linux /hello.txt" "hello, AFTER!" "$(cat "$L/hello.txt")"
    cmp -s "$L/escaped.bin" "$NEW/escaped.bin" && ok || fail "$n: Linux /escaped.bin differs"
    cmp -s "$L/boot/grub/grub.cfg" "$NEW/grub.cfg" && ok || fail "$n: Linux grub.cfg is not the new one"
    cmp -s "$L/d/revoked.bin" "$SRC/d/revoked.bin" && ok || fail "$n: Linux replayed the revoked block"
    # pvboot reads the same, says nothing, and writes nothing
    check_tree "$n" "$WORK/$n.img" hd0 "$L" '^lost\+found'
    "$FSTEST" "$WORK/$n.img" -- ls '(hd0)/' >/dev/null 2>"$WORK/err" || true
    expect_eq "$n: no warning" "" "$(cat "$WORK/err")"
    expect_eq "$n: image unchanged" "$(cat "$WORK/$n.sum")" "$(sha256sum <"$WORK/$n.img")"
done

# corrupt journals: the message, and the state before the journal
W="warning: ext2: xen/xvda:"
"$FSTEST" "$WORK/badcommit.img" -- ls '(hd0)/' >"$WORK/out" 2>"$WORK/err" || true
expect_eq "bad commit message" \
    "$W journal block $CB: transaction 1: commit block checksum mismatch; reading the filesystem without the journal" \
    "$(cat "$WORK/err")"
"$FSTEST" "$WORK/baddesc.img" -- ls '(hd0)/' >"$WORK/out" 2>"$WORK/err" || true
expect_eq "bad descriptor magic message" \
    "$W journal block $DB: transaction 1: bad magic where the log starts; nothing replayed; reading the filesystem without the journal" \
    "$(cat "$WORK/err")"
for n in badcommit baddesc; do
    check_tree "$n" "$WORK/$n.img" hd0 "$SRC" '^lost\+found'
    expect_eq "$n: image unchanged" "$(cat "$WORK/$n.sum")" "$(sha256sum <"$WORK/$n.img")"
done
# Linux refuses to mount with a corrupt commit ("journal transaction 1 ...
# is corrupt", error loading journal); at a bad magic its log just ends
[ -f "$WORK/badcommit.refused" ] && ok || fail "Linux mounted the image with the bad commit block"
check_tree baddesc-linux "$WORK/baddesc.img" hd0 "$WORK/baddesc.linux" '^lost\+found'

# save_env must not write in place while the journal needs recovery, be
# its blocks replayed in memory (csum3) or not (badcommit)
PROBE=$PVBOOT_BUILD/src/pvboot-probe
printf 'saved_entry=new\nsave_env -f (xen/xvda)/boot/grub/grubenv saved_entry\necho st=$?\n' >"$WORK/env.cfg"
for n in csum3 badcommit; do
    img=$WORK/env.img
    cp "$WORK/$n.img" "$img"
    out=$("$PROBE" -w -c "$WORK/env.cfg" "$img" 2>&1 || true)
    echo "$out" | grep -qxF "error: (embedded)/pvboot.cfg:2: save_env: (xen/xvda)/boot/grub/grubenv: the filesystem cannot be written: its journal needs recovery (done in memory only here); nothing written" &&
        ok || fail "$n: save_env not refused: $out"
    echo "$out" | grep -qx 'st=[1-9][0-9]*' && ok || fail "$n: save_env status: $out"
    expect_eq "$n: env image unchanged" "$(cat "$WORK/$n.sum")" "$(sha256sum <"$img")"
done

finish
