#!/bin/bash
# btrfs images: mkfs.btrfs --rootdir (DUP metadata), and images written by
# the kernel's btrfs driver in User-Mode Linux with compress-force=zlib/lzo/
# zstd, subvolumes @, @home, @/.snapshots and a snapshot at
# @/.snapshots/1/snapshot set as default.  Read through pvboot-fstest:
# listings, sha256 of every file, probe (uuid/label).  Paths resolve from the
# top level (subvolumes are directories), as in upstream GRUB; with
# btrfs_relative_path=y (SUSE/Fedora GRUB, run through pvboot-probe -c) from
# the default subvolume: `ls`, `..` at its root, an absolute symlink, `cat`.
# Images: tests/unit/test_xfs_btrfs_mkimg.sh.
. "$(dirname "$0")/lib/fscommon.bash"
command -v mkfs.btrfs >/dev/null || { echo "SKIP: mkfs.btrfs missing"; exit 77; }
[ -x /usr/bin/linux.uml ] || { echo "FAIL: /usr/bin/linux.uml missing (user-mode-linux)"; exit 1; }
MKIMG=$PVBOOT_SRC/tests/unit/test_xfs_btrfs_mkimg.sh
# the small source tree (1200-entry node directories, 300-entry bigdir): the
# full one (tests/unit) takes too long to hash file by file in bash
export FSB_MKTREE_ARGS=--small
UUID=1e2d3c4b-5a69-4788-97a6-b5c4d3e2f1a0
PROBE=${PVBOOT_PROBE:-$PVBOOT_BUILD/src/pvboot-probe}
[ -x "$PROBE" ] || { echo "missing $PROBE (build target pvboot-probe)"; exit 1; }

variant() {
    local v=$1 d=$WORK/$1
    if ! bash "$MKIMG" "$d" "$v" >"$WORK/mk.log" 2>&1; then
        fail "$v: image build failed: $(tail -5 "$WORK/mk.log")"; return
    fi
    check_tree "$v" "$d/img" hd0 "$d/tree"
    expect_eq "$v probe" "(xen/xvda) size=$(stat -c %s "$d/img") fs=btrfs uuid=$UUID label=\"PVB-BTRFS\"" \
        "$("$FSTEST" "$d/img" -- probe)"
    if [ "$v" != btrfs-plain ]; then
        expect_eq "$v kernel through subvolume" "$(sha256sum <"$d/tree/@/boot/vmlinuz-6.1.0-test" | cut -d' ' -f1)" \
            "$("$FSTEST" "$d/img" -- hash '(hd0)/@/boot/vmlinuz-6.1.0-test' | cut -d' ' -f1)"
        expect_eq "$v snapshot" "$(sha256sum <"$d/tree/@/.snapshots/1/snapshot/boot/grub/grub.cfg" | cut -d' ' -f1)" \
            "$("$FSTEST" "$d/img" -- hash '(hd0)/@/.snapshots/1/snapshot/boot/grub/grub.cfg' | cut -d' ' -f1)"
        expect_eq "$v subvolume listing" "$(printf '@\n@home\ntopfile')" \
            "$("$FSTEST" "$d/img" -- ls '(hd0)/' | tr -d '/' | sort)"
        # btrfs_relative_path: the default subvolume holds boot/ and
        # grub.cfg.abs -> /boot/grub/grub.cfg (dangling from the top level)
        printf '%s\n' 'set btrfs_relative_path=y' 'ls (hd0)/' 'ls (hd0)/boot/grub/' 'ls (hd0)/../..' \
            'cat (hd0)/grub.cfg.abs' 'set btrfs_relative_path=n' 'ls (hd0)/' \
            'if cat (hd0)/@/.snapshots/1/snapshot/grub.cfg.abs; then echo resolved; else echo dangling; fi' \
            >"$WORK/rel.cfg"
        expect_eq "$v btrfs_relative_path=y" \
            "$(printf 'boot/ grub.cfg.abs \ngrub.cfg \nboot/ grub.cfg.abs \n'; cat "$d/tree/@/boot/grub/grub.cfg"
               printf '@/ @home/ topfile \ndangling')" \
            "$("$PROBE" --json -c "$WORK/rel.cfg" "$d/img" |
               python3 -c 'import json,sys; print(json.load(sys.stdin)["log"].replace("\r", ""), end="")' |
               grep -v '^error:')"
        # a default subvolume that does not exist (DIR_ITEM "default" of the
        # root tree pointed at id 999, checksums made good again): the top
        # level stays readable, only btrfs_relative_path lookups fail, with
        # the reason
        local n
        n=$(python3 - "$d/img" "$WORK/baddef.img" <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
n, i = 0, d.find(b"default")
while i >= 0:
    # dir item: location key (objectid, type 132 = ROOT_ITEM, offset),
    # transid, data_len, name_len = 7, type, then the name
    if i >= 30 and d[i - 22] == 132 and struct.unpack_from("<H", d, i - 3)[0] == 7:
        struct.pack_into("<Q", d, i - 30, 999)
        n += 1
    i = d.find(b"default", i + 1)
# the tree blocks holding it get their crc32c again (header csum over the
# block after its first 32 bytes); tree blocks sit nodesize-aligned
tab = []
for b in range(256):
    c = b
    for _ in range(8):
        c = (c >> 1) ^ (0x82F63B78 if c & 1 else 0)
    tab.append(c)
def crc32c(buf):
    c = 0xFFFFFFFF
    for x in buf:
        c = tab[(c ^ x) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF
ns = struct.unpack_from("<I", d, 0x10000 + 0x94)[0]
fsid = d[0x10000 + 0x20:0x10000 + 0x30]
i = d.find(b"default")
while i >= 0:
    b = i - i % ns
    if d[b + 0x20:b + 0x30] == fsid:
        struct.pack_into("<I", d, b, crc32c(d[b + 32:b + ns]))
    i = d.find(b"default", i + 1)
open(sys.argv[2], "wb").write(d)
print(n)
PY
)
        printf '%s\n' 'ls (hd0)/' 'set btrfs_relative_path=y' 'ls (hd0)/' >"$WORK/baddef.cfg"
        expect_eq "$v damaged default subvolume" \
            "$(printf '@/ @home/ topfile \nerror: (embedded)/pvboot.cfg:3: btrfs: xen/xvda: btrfs_relative_path: default subvolume 999: btrfs: xen/xvda: subvolume 999 has no back reference')" \
            "$([ "$n" -ge 1 ] && "$PROBE" --json -c "$WORK/baddef.cfg" "$WORK/baddef.img" |
               python3 -c 'import json,sys; print(json.load(sys.stdin)["log"].replace("\r", ""), end="")')"
        rm -f "$WORK/baddef.img"
    fi
    rm -rf "$d"
}

# lzo and zlib (same layout) are covered by tests/unit/test_btrfs.c; set
# FSB_ALL=1 to run them here too (each variant takes minutes on a busy box).
variant btrfs-plain
variant btrfs-zstd
if [ -n "${FSB_ALL:-}" ]; then
    variant btrfs-lzo
    variant btrfs-zlib
fi
finish
