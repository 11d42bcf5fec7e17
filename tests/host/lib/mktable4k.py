#!/usr/bin/env python3
"""Write a GPT or MBR partition table for a disk with 4096-byte logical
sectors onto an image file (util-linux 2.38's sfdisk cannot set the sector
size of an image file).  Follows UEFI 2.x section 5.3 / the MBR layout.

usage: mktable4k.py IMAGE gpt|dos START:COUNT[:NAME] ...   (in 4 KiB LBAs)
"""
import struct, sys, uuid, zlib

SS = 4096
img, kind, parts = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(img, 'r+b') as f:
    f.seek(0, 2)
    nlba = f.tell() // SS
    mbr = bytearray(512)
    if kind == 'dos':
        for i, p in enumerate(parts):
            start, count = (int(x) for x in p.split(':')[:2])
            mbr[446 + 16 * i:446 + 16 * i + 16] = struct.pack('<B3sB3sII', 0, b'\0\0\0', 0x83, b'\0\0\0', start, count)
        mbr[440:444] = struct.pack('<I', 0x4b4b4b4b)
        mbr[510:512] = b'\x55\xaa'
        f.seek(0); f.write(mbr)
        sys.exit(0)
    mbr[446:462] = struct.pack('<B3sB3sII', 0, b'\0\x02\0', 0xee, b'\xff\xff\xff', 1, min(nlba - 1, 0xffffffff))
    mbr[510:512] = b'\x55\xaa'
    f.seek(0); f.write(mbr)
    linux = uuid.UUID('0fc63daf-8483-4772-8e79-3d69d8477de4').bytes_le
    ents = bytearray(128 * 128)
    for i, p in enumerate(parts):
        fields = p.split(':')
        start, count = int(fields[0]), int(fields[1])
        name = fields[2] if len(fields) > 2 else ''
        ents[128 * i:128 * i + 128] = struct.pack('<16s16sQQQ72s', linux, uuid.UUID(int=i + 1).bytes_le,
                                                  start, start + count - 1, 0, name.encode('utf-16-le'))
    ecrc = zlib.crc32(ents) & 0xffffffff
    elbas = len(ents) // SS
    disk = uuid.UUID('44444444-4444-4444-4444-444444444444').bytes_le
    def header(my, alt, entries):
        h = bytearray(struct.pack('<8sIIIIQQQQ16sQIII', b'EFI PART', 0x10000, 92, 0, 0, my, alt,
                                  2 + elbas, nlba - 2 - elbas, disk, entries, 128, 128, ecrc))
        h[16:20] = struct.pack('<I', zlib.crc32(h) & 0xffffffff)
        return bytes(h) + bytes(SS - len(h))
    f.seek(SS); f.write(header(1, nlba - 1, 2))
    f.seek(2 * SS); f.write(ents)
    f.seek((nlba - 1 - elbas) * SS); f.write(ents)
    f.seek((nlba - 1) * SS); f.write(header(nlba - 1, 1, nlba - 1 - elbas))
