#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Sparse images for fuzz_xfs / fuzz_btrfs (format: fuzz_xfs_btrfs_walk.h).

  sparse_image.py pack IMAGE OUT     every non-zero 4 KiB block of IMAGE
  sparse_image.py unpack IN OUT      a fuzzer input (e.g. a crash) as an image

pack fails if IMAGE is larger than the 65536 blocks (256 MiB) the fuzzers
accept.  unpack follows the fuzzers' reading exactly (indices modulo the
size, a later record wins, a trailing partial record ignored), so the image
can be examined with pvboot-fstest or the real tools.
"""
import struct
import sys

BLOCK = 4096
MAX_BLOCKS = 65536


def pack(src, dst):
    with open(src, "rb") as f:
        data = f.read()
    nblocks = (len(data) + BLOCK - 1) // BLOCK
    if nblocks == 0 or nblocks > MAX_BLOCKS:
        sys.exit("sparse_image: %s: %d bytes (1 to %d blocks of 4 KiB)" % (src, len(data), MAX_BLOCKS))
    out = [struct.pack("<I", nblocks % MAX_BLOCKS)]
    for i in range(nblocks):
        blk = data[i * BLOCK:(i + 1) * BLOCK].ljust(BLOCK, b"\0")
        if any(blk):
            out.append(struct.pack("<I", i) + blk)
    with open(dst, "wb") as f:
        f.write(b"".join(out))
    return len(out) - 1


def unpack(src, dst):
    with open(src, "rb") as f:
        data = f.read()
    if len(data) < 4:
        sys.exit("sparse_image: %s: shorter than the 4-byte header" % src)
    nblocks = struct.unpack_from("<I", data)[0] % MAX_BLOCKS or MAX_BLOCKS
    img = bytearray(nblocks * BLOCK)
    off = 4
    while len(data) - off >= 4 + BLOCK:
        idx = struct.unpack_from("<I", data, off)[0] % nblocks
        img[idx * BLOCK:(idx + 1) * BLOCK] = data[off + 4:off + 4 + BLOCK]
        off += 4 + BLOCK
    with open(dst, "wb") as f:
        f.write(img)


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("pack", "unpack"):
        sys.exit(__doc__)
    if sys.argv[1] == "pack":
        n = pack(sys.argv[2], sys.argv[3])
        print("%s: %d blocks" % (sys.argv[3], n))
    else:
        unpack(sys.argv[2], sys.argv[3])
