#!/usr/bin/env python3
"""Write a filesystem image into the payload of a LUKS image, encrypted the
way dm-crypt does it, with pyca/cryptography (OpenSSL) as the independent
implementation: luks_payload.py LUKS-IMAGE FS-IMAGE VOLUME-KEY-HEX
PAYLOAD-OFFSET-BYTES CIPHER-MODE [SECTOR-SIZE [IV-512]].
CIPHER-MODE: aes-xts-plain64 or aes-cbc-essiv:sha256.  The volume key comes
from `cryptsetup luksDump --dump-volume-key`.  IVs count SECTOR-SIZE units
(default 512) unless IV-512 is 1 (512-byte units, LUKS2 iv_large_sectors
false)."""
import hashlib
import sys

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


def main():
    img, fs, keyhex, off, mode = sys.argv[1:6]
    ss = int(sys.argv[6]) if len(sys.argv) > 6 else 512
    iv512 = len(sys.argv) > 7 and sys.argv[7] == "1"
    key = bytes.fromhex(keyhex)
    data = open(fs, "rb").read()
    if len(data) % ss:
        data += bytes(ss - len(data) % ss)
    out = bytearray()
    for i in range(0, len(data), ss):
        n = (i // 512) if iv512 else (i // ss)
        iv = n.to_bytes(16, "little")
        if mode == "aes-xts-plain64":
            c = Cipher(algorithms.AES(key), modes.XTS(iv)).encryptor()
        elif mode == "aes-cbc-essiv:sha256":
            salt = hashlib.sha256(key).digest()
            e = Cipher(algorithms.AES(salt), modes.ECB()).encryptor()
            c = Cipher(algorithms.AES(key), modes.CBC(e.update(iv) + e.finalize())).encryptor()
        else:
            sys.exit("unknown mode " + mode)
        out += c.update(data[i:i + ss]) + c.finalize()
    with open(img, "r+b") as f:
        f.seek(int(off))
        f.write(out)


main()
