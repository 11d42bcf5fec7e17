#!/bin/bash
# Install every build and test dependency of pvboot from Debian 12's archive.
# Idempotent: packages already installed are skipped; apt-get update runs only
# when something is missing.  Must run as root.
set -euo pipefail

BUILD_PKGS=(build-essential cmake pkg-config clang lld llvm
            libelf-dev zlib1g-dev liblzma-dev libzstd-dev liblz4-dev liblzo2-dev libbz2-dev
            libxen-dev libcmocka-dev libbsd-dev
            dpkg-dev debhelper   # scripts/package: dpkg-buildpackage of debian/
            libseccomp-dev    # host tools: the disk parser's system call filter
            nettle-dev        # cryptodisk: libnettle.a (hashes, PBKDF2, AES); pgp: libhogweed.a
            libgmp-dev        # pgp: libgmp.a (hogweed's RSA and Ed25519 arithmetic)
            libargon2-dev)    # luks2: libargon2.a (Argon2i/Argon2id)
TEST_PKGS=(qemu-system-x86 xen-hypervisor-4.17-amd64 xen-utils-4.17 xenstore-utils
           linux-image-amd64 busybox-static cpio kmod gzip xz-utils zstd lz4 lzop bzip2
           e2fsprogs xfsprogs dosfstools mtools btrfs-progs fdisk gdisk xorriso file
           squashfs-tools    # squash4 images
           cryptsetup-bin python3-cryptography   # LUKS images; payload encrypted independently
           user-mode-linux   # xfs/btrfs tests: kernel-written images without loop mounts
           lvm2 mdadm        # LVM/md test images, made inside User-Mode Linux
           grub-xen-bin grub-xen-host grub-common python3
           grub-emu          # tests/host/grub_diff.sh: GRUB 2.06 itself as the oracle
           dpkg-dev debootstrap lintian bash-completion   # packaging tests
           rpm rpmlint       # rpm/pvboot.spec: rpmbuild, rpmlint
           strace            # host.confine: the confinement steps of a real run
           gnupg)            # host.pgp, fuzz_pgp seeds, e2e boot_signed: keys and signatures

want=("${BUILD_PKGS[@]}")
[ "${1:-}" = --build-only ] || want+=("${TEST_PKGS[@]}")

missing=()
for p in "${want[@]}"; do
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all ${#want[@]} packages present"
    exit 0
fi
[ "$(id -u)" = 0 ] || { echo "install-deps: must run as root to install: ${missing[*]}" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
# INITRD=No: linux-image-amd64 is only a source of a PV kernel for the tests;
# generating a host initramfs for it costs ~90 s and is never used.
export INITRD=No
echo "install-deps: installing ${missing[*]}"
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
