#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Make the deterministic source tree that the xfs/btrfs test images are
built from (tests/unit/test_xfs.c, test_btrfs.c, tests/host/fs_*.sh).

usage: test_xfs_btrfs_mktree.py ROOT [--bigdir N] [--big MiB]
Every file's content is derived from its path, so two runs give the same
tree.  Names avoid spaces (mkfs.xfs protofiles cannot express them).
"""
import hashlib, os, random, sys

def data(seed, n, compressible=False):
    r = random.Random(seed)
    if compressible:
        words = [b"linux", b"xen", b"grub", b"boot", b"kernel", b"initrd", b"\n", b" "]
        out = bytearray()
        while len(out) < n:
            out += r.choice(words)
        return bytes(out[:n])
    return r.randbytes(n)

def put(root, rel, content):
    p = os.path.join(root, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "wb") as f:
        f.write(content)

def main():
    root = sys.argv[1]
    bigdir = 3000
    big = 0
    small = False
    args = sys.argv[2:]
    while args:
        a = args.pop(0)
        if a == "--bigdir": bigdir = int(args.pop(0))
        elif a == "--big": big = int(args.pop(0))
        elif a == "--small": small = True; bigdir = 300
    os.makedirs(root, exist_ok=True)
    put(root, "boot/vmlinuz-6.1.0-test", data("vmlinuz", (200 * 1024 if small else 2 * 1024 * 1024) + 17))
    put(root, "boot/initrd.img-6.1.0-test", data("initrd", (100 * 1024 if small else 1024 * 1024) + 123, True))
    put(root, "boot/grub/grub.cfg",
        b"set timeout=5\nmenuentry 'Test' {\n  linux /boot/vmlinuz-6.1.0-test root=/dev/xvda1\n"
        b"  initrd /boot/initrd.img-6.1.0-test\n}\n")
    for n in (0, 1, 511, 4095, 4096, 4097, 65536, 65537, 131073, 300001):
        if not small or n < 70000:
            put(root, "files/size%d" % n, data("size%d" % n, n))
    put(root, "files/text300k", data("text", (20 if small else 300) * 1024, True))
    put(root, "files/zeros128k", bytes(128 * 1024))
    put(root, "files/" + "L" * 255, b"long name\n")
    put(root, "files/\u00fcmlaut-\u30d5\u30a1\u30a4\u30eb", b"utf-8 name\n")
    if big:
        put(root, "files/big", data("big", big * 1024 * 1024))
    os.symlink("../boot/vmlinuz-6.1.0-test", os.path.join(root, "files/link_rel"))
    os.symlink("/boot/grub/grub.cfg", os.path.join(root, "files/link_abs"))
    os.symlink("boot", os.path.join(root, "link_dir"))
    os.symlink("/".join(["component%03d" % i for i in range(70)]),
               os.path.join(root, "files/link_long"))
    for name, count in (("small", 3), ("block", 40), ("leaf", 400), ("node", 1200 if small else 2500)):
        for i in range(count):
            put(root, "dirs/%s/entry-%05d-%s" % (name, i, "x" * (i % 40)),
                ("%s %d\n" % (name, i)).encode())
    os.makedirs(os.path.join(root, "dirs/empty"), exist_ok=True)
    for i in range(bigdir):
        put(root, "bigdir/f%05d" % i, data("bigdir%d" % i, 100 + i % 3000, i % 2 == 0))

if __name__ == "__main__":
    main()
