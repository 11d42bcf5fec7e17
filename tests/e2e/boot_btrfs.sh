#!/bin/bash
# e2e: boot from a whole-disk btrfs whose /boot was written by the
# kernel's btrfs driver with compress-force=zstd, under real Xen in QEMU.
#
# The disk has exactly the files `xenlab mkdisk --fs btrfs --label none`
# puts on its disk (Debian 12's kernel and xenlab's domU initrd in /boot,
# /boot/grub/grub.cfg and /boot/grub2/grub.cfg): they are taken from a
# mkdisk image with pvboot-fstest, then copied onto a fresh btrfs by Linux in
# User-Mode Linux mounted with compress-force=zstd (btrfs-progs 6.2's
# mkfs --rootdir cannot compress; tests/unit/test_xfs_btrfs_mkimg.sh
# btrfs-tree).  Before booting, `btrfs inspect-internal dump-tree` must show
# every extent of the initrd and of both grub.cfg zstd-compressed, and at
# least one zstd extent in the kernel (Debian's bzImage is an xz payload:
# btrfs stores the chunks zstd cannot shrink uncompressed, as on a real
# compress=zstd system), every file's extents covering it without gaps;
# the hosted reader (pvboot-fstest cmp) must return the host files' bytes.
# Then an all-modules image with the embedded default config boots it to the
# guest's userspace marker with blkfront reconnecting xvda; the loader's
# CRC32 of the kernel file and of the initrd it read from the compressed
# extents must equal the host files'.  One boot.
#
# tests/e2e/boot.sh boots plain (uncompressed, mkfs --rootdir) whole-disk
# btrfs already ("btrfs:none"); this test adds the compressed case.
# Environment: PVBOOT_SRC, PVBOOT_BUILD (set by ctest).
# shellcheck source-path=SCRIPTDIR source=lib/e2e-lib.sh
. "$(dirname "$0")/lib/e2e-lib.sh"
FSTEST=$PVBOOT_BUILD/src/pvboot-fstest
KERNEL=/boot/vmlinuz-$KVER
INITRD=$XENLAB_CACHE/domu-initrd-$KVER.img

e2e_need linux btrfs zstd
[ -x "$FSTEST" ] || skip "pvboot-fstest not built in $PVBOOT_BUILD"
[ -s "$KERNEL" ] && [ -s "$INITRD" ] || skip "no $KERNEL or $INITRD"
command -v btrfs >/dev/null || skip "no btrfs (btrfs-progs)"
# an installed dependency (scripts/install-deps.sh): missing = failure
[ -x /usr/bin/linux.uml ] || { echo "FAIL: /usr/bin/linux.uml missing (user-mode-linux)"; exit 1; }

e2e_workdir btrfs
mk_default_image

# 1. mkdisk's files (whole-disk btrfs: root=/dev/xvda in its grub.cfg)
ST=$W/root
mkdisk_tree "$ST"
FILES="boot/grub/grub.cfg boot/grub2/grub.cfg boot/initrd.img-$KVER boot/vmlinuz-$KVER"
check "mkdisk's disk holds exactly: /boot/{grub,grub2}/grub.cfg, kernel, initrd" \
      '[ "$(grep -v "/$" "$W/mkdisk.ls" | sort | tr "\n" " ")" = "$FILES " ]'
check "mkdisk's kernel and initrd are the host files" \
      'cmp -s "$ST/boot/vmlinuz-$KVER" "$KERNEL" && cmp -s "$ST/boot/initrd.img-$KVER" "$INITRD"'

# 2. the same tree written by Linux with compress-force=zstd
FSB_TREE=$ST FSB_COMPRESS=zstd FSB_LABEL=XENLAB FSB_SIZE_MB=160 \
    bash "$PVBOOT_SRC/tests/unit/test_xfs_btrfs_mkimg.sh" "$W/mk" btrfs-tree >"$W/mk.log" 2>&1 \
    || { echo "FAIL: UML btrfs build"; tail -20 "$W/mk.log"; exit 1; }
DISK=$W/mk/img

# 3. the extents, as btrfs-progs reads them: per file "path n_zstd n_none
#    n_inline_zstd n_other covered_bytes size"
btrfs inspect-internal dump-tree -t 5 "$DISK" >"$W/fstree.txt"
python3 - "$W/fstree.txt" >"$W/extents.txt" <<'PY'
import re, sys
names, parent, size, ext = {}, {}, {}, {}
cur = None
for line in open(sys.argv[1]):
    m = re.search(r"key \((\d+) (\w+) (\d+)\)", line)
    if m:
        cur = (int(m.group(1)), m.group(2), int(m.group(3)))
        if cur[1] == "EXTENT_DATA":
            ext.setdefault(cur[0], []).append({"off": cur[2]})
        continue
    if not cur:
        continue
    ino, typ, off = cur
    if typ == "INODE_REF":
        m = re.search(r"name: (.*)$", line.rstrip("\n"))
        if m and ino != 256:
            names[ino], parent[ino] = m.group(1), off
    elif typ == "INODE_ITEM":
        m = re.search(r"\bsize (\d+)", line)
        if m and "transid" in line:
            size[ino] = int(m.group(1))
    elif typ == "EXTENT_DATA":
        e = ext[ino][-1]
        if "type 0 (inline)" in line: e["kind"] = "inline"
        elif "type 1 (regular)" in line: e["kind"] = "regular"
        elif "type 2" in line: e["kind"] = "prealloc"
        m = re.search(r"extent data offset \d+ nr (\d+) ram", line)
        if m: e["len"] = int(m.group(1))
        m = re.search(r"inline extent data size \d+ ram_bytes (\d+)", line)
        if m: e["len"] = int(m.group(1))
        m = re.search(r"compression (\d+)", line)
        if m: e["comp"] = int(m.group(1))
def path(i):
    p = []
    while i in names and len(p) < 64:
        p.append(names[i]); i = parent[i]
    return "/".join(reversed(p))
for ino in sorted(ext):
    es = sorted(ext[ino], key=lambda e: e["off"])
    zstd = sum(1 for e in es if e.get("kind") == "regular" and e.get("comp") == 3)
    none = sum(1 for e in es if e.get("kind") == "regular" and e.get("comp") == 0)
    izstd = sum(1 for e in es if e.get("kind") == "inline" and e.get("comp") == 3)
    other = len(es) - zstd - none - izstd
    pos = 0
    for e in es:
        if e["off"] != pos: break
        pos += e.get("len", 0)
    print(path(ino), zstd, none, izstd, other, min(pos, size.get(ino, -1)), size.get(ino, -1))
PY
cat "$W/extents.txt" | sed 's/^/extents (path zstd none inline-zstd other covered size): /'
ext() { awk -v p="$1" '$1 == p' "$W/extents.txt"; }
ISZ=$(stat -c %s "$INITRD") KSZ=$(stat -c %s "$KERNEL")
NI=$(( (ISZ + 131071) / 131072 ))
check "initrd: all $NI extents zstd (128 KiB each), covering $ISZ bytes" \
      '[ "$(ext boot/initrd.img-$KVER)" = "boot/initrd.img-$KVER $NI 0 0 0 $ISZ $ISZ" ]'
check "kernel: >= 1 zstd extent, only zstd/uncompressed regular extents, covering $KSZ bytes" \
      'ext boot/vmlinuz-$KVER | awk -v s=$KSZ "{ exit !(\$2 >= 1 && \$5 == 0 && \$6 == s && \$7 == s) }"'
for c in boot/grub/grub.cfg boot/grub2/grub.cfg; do
    CSZ=$(stat -c %s "$ST/$c")
    check "$c: one inline zstd-compressed extent of $CSZ bytes" '[ "$(ext $c)" = "$c 0 0 1 0 $CSZ $CSZ" ]'
done
# the hosted runtime reads the compressed files back byte for byte
check "pvboot-fstest reads kernel and initrd back identical" \
      '"$FSTEST" "$DISK" -- cmp "(hd0)/boot/vmlinuz-$KVER" "$KERNEL" &&
       "$FSTEST" "$DISK" -- cmp "(hd0)/boot/initrd.img-$KVER" "$INITRD"'
check "pvboot-fstest probe: whole-disk btrfs labelled XENLAB" \
      '"$FSTEST" "$DISK" -- probe | grep -q "^(xen/xvda) size=$((160 << 20)) fs=btrfs uuid=[0-9a-f-]* label=\"XENLAB\"$"'

# 4. boot it
boot_linux_crc "$W/run" "$W/out.txt" '^pvboot:|^linux:|XENLAB-DOMU|^error' --disk "$DISK" --timeout 240
check "config found on the whole-disk btrfs" \
      'echo "$CON" | grep -qx "pvboot: using (xen/xvda)/boot/grub2/grub.cfg"'
check "kernel file read intact from zstd/plain extents (crc32 $(crc32 "$KERNEL"))" \
      'echo "$CON" | grep -qx "linux: /boot/vmlinuz-$KVER: $KSZ bytes, crc32 $(crc32 "$KERNEL")"'
check "initrd read intact from zstd extents (crc32 $(crc32 "$INITRD"))" \
      'echo "$CON" | grep -qx "linux: initrd: $ISZ bytes, crc32 $(crc32 "$INITRD")"'
check_linux_userspace "root=/dev/xvda ro console=hvc0"
check "kernel's blkfront reconnected xvda" 'echo "$CON" | grep -q "^XENLAB-DOMU-DISK-OK xvda("'
check_no_fault
e2e_finish boot_btrfs
