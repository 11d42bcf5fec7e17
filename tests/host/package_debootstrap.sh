#!/bin/bash
# The Debian package in a clean Debian 12 (debootstrap --variant=minbase) chroot:
#   1. `apt-get install ./pvboot_*.deb` pulls in the runtime dependencies
#      (libelf1, zlib1g, liblzma5, libxenmisc4.17, libbsd0 were absent before);
#   2. mkpvimage -O x86_64-xen -c CFG -o /etc/xen/x.bin works there, the image
#      is a Xen PV ELF, --version is the project version;
#   3. `apt-get purge --autoremove pvboot` leaves the file system exactly as
#      before (every path compared, state dirs of dpkg/apt excepted);
#   4. xl integration: with xen-utils-4.17 installed first, postinst registers
#      /usr/lib/xen-4.17/boot/pvgrub64.bin (the path xl's own binary formats)
#      as the alternative xen-4.17-pvgrub64 pointing at the image; removal
#      drops it; installing xen-utils-4.17 after pvboot registers it through
#      the dpkg file trigger on xl, purging xen-utils-4.17 removes it again
#      (and leaves no empty directory behind);
#   5. the autopkgtests (debian/tests) against the installed package.
#
# Root and network to Debian's archive needed.  The chroot after debootstrap
# is cached as $CACHE/bookworm-minbase.tar.zst and downloaded .debs in
# $CACHE/archives, so a re-run costs about a minute.  The .deb is
# $PVBOOT_DEB if set, else built by scripts/package (build-pkg/).
set -euo pipefail
SRC=${PVBOOT_SRC:-$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)}
CACHE=${PVBOOT_DEBOOTSTRAP_CACHE:-/var/cache/pvboot-debootstrap}
SUITE=bookworm
T0=$SECONDS

fail() { echo "FAIL: $*" >&2; exit 1; }
log() { echo "[$((SECONDS - T0))s] $*"; }
[ "$(id -u)" = 0 ] || fail "needs root (debootstrap, chroot)"
for t in debootstrap zstd unshare chroot dpkg-deb; do
    command -v "$t" >/dev/null || fail "$t missing (scripts/install-deps.sh installs it)"
done

deb=${PVBOOT_DEB:-}
if [ -z "$deb" ]; then
    # the build-time unit tests ran in host.package_layout's build already
    log "building the package (scripts/package --no-check)"
    deb=$(bash "$SRC/scripts/package" --no-lintian --no-check | tail -n 1)
fi
[ -s "$deb" ] || fail "no package at '$deb'"
version=$(dpkg-deb -f "$deb" Version)
upstream=${version%%+*}
log "package $deb (version $version)"

# the archive the host uses (same suites: bookworm-security carries the
# libxen* versions the package was linked against)
# (comment lines left out: deb822 files may name a snapshot URL in a comment)
mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources \
             2>/dev/null | grep -vE '^[[:space:]]*#' | grep -oE 'https?://[^ ]+/debian/?' |
         grep -v security | head -n 1 || true)
mirror=${PVBOOT_DEBIAN_MIRROR:-${mirror:-http://deb.debian.org/debian}}

mkdir -p "$CACHE/archives/partial"
tarball=$CACHE/$SUITE-minbase.tar.zst
if [ ! -s "$tarball" ]; then
    log "debootstrap --variant=minbase $SUITE from $mirror (cached afterwards in $tarball)"
    tmp=$(mktemp -d /var/tmp/pvboot-debootstrap.XXXXXX)
    debootstrap --variant=minbase --cache-dir="$CACHE/archives" "$SUITE" "$tmp/root" "$mirror" \
        >"$tmp/debootstrap.log" 2>&1 || { tail -n 30 "$tmp/debootstrap.log"; rm -rf "$tmp"; fail "debootstrap failed"; }
    rm -f "$tmp"/root/var/cache/apt/archives/*.deb
    tar -C "$tmp/root" --numeric-owner -cf - . | zstd -q -T0 -o "$tarball.tmp"
    mv "$tarball.tmp" "$tarball"
    rm -rf "$tmp"
fi

R=$(mktemp -d /var/tmp/pvboot-chroot.XXXXXX)
cleanup() { rm -rf --one-file-system "$R"; }
trap cleanup EXIT
log "unpacking the clean chroot"
zstd -q -dc "$tarball" | tar -C "$R" --numeric-owner -xf -

# apt sources and Acquire settings of the host (mirror, snapshot quirks)
rm -f "$R"/etc/apt/sources.list "$R"/etc/apt/sources.list.d/*
cp /etc/apt/sources.list "$R/etc/apt/" 2>/dev/null || true
cp /etc/apt/sources.list.d/* "$R/etc/apt/sources.list.d/" 2>/dev/null || true
for f in /etc/apt/apt.conf.d/*; do
    grep -q '^Acquire::' "$f" 2>/dev/null && cp "$f" "$R/etc/apt/apt.conf.d/" || true
done
echo 'APT::Keep-Downloaded-Packages "true";' >"$R/etc/apt/apt.conf.d/90pvboot-test-keep"
cp /etc/resolv.conf "$R/etc/resolv.conf"
printf '#!/bin/sh\nexit 101\n' >"$R/usr/sbin/policy-rc.d"; chmod 755 "$R/usr/sbin/policy-rc.d"
cp "$deb" "$R/root/"
cp -r "$SRC/debian/tests" "$R/root/debian-tests"
debname=$(basename "$deb")

cat >"$R/root/test.cfg" <<'EOF'
set timeout=0
menuentry "debian" {
    linux /boot/vmlinuz root=/dev/xvda1 ro console=hvc0
}
EOF

cat >"$R/root/inside.sh" <<EOF
#!/bin/bash
# runs inside the chroot
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 PATH=/usr/sbin:/usr/bin:/sbin:/bin
DEB=/root/$debname
UPSTREAM=$upstream
EOF
cat >>"$R/root/inside.sh" <<'EOF'
fail() { echo "FAIL(chroot): $*" >&2; exit 1; }
apt_q() { apt-get -q -y -o Dpkg::Use-Pty=0 "$@" </dev/null; }
# every path of the system but dpkg/apt state, logs, caches and this test
snapshot() {
    find / -xdev \( -path /proc -o -path /dev -o -path /sys -o -path /tmp -o -path /root \
        -o -path /var/lib/dpkg -o -path /var/lib/apt -o -path /var/cache -o -path /var/log \
        -o -path /run -o -path /var/tmp \) -prune -o -print | LC_ALL=C sort >"$1"
}
same() { # before after what
    if ! diff -u "$1" "$2" >/root/diff.txt; then
        sed -n '1,40p' /root/diff.txt >&2
        fail "$3 left the file system different (diff above)"
    fi
}
installed() { [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]; }

echo "--- apt-get update"
apt_q update >/root/update.log 2>&1 || { tail /root/update.log; fail "apt-get update"; }
deps="libelf1 zlib1g liblzma5 libxenmisc4.17 libbsd0"
for p in libelf1 libxenmisc4.17 libbsd0; do
    ! installed "$p" || fail "$p is already in the clean chroot; the test would prove nothing"
done
snapshot /root/s0

echo "--- apt-get install ./$(basename "$DEB")"
apt_q install --no-install-recommends "$DEB" >/root/install.log 2>&1 || { cat /root/install.log; fail "apt-get install"; }
sed -n -E '/^(The following NEW|  )/p' /root/install.log | sed -n 1,8p
for p in pvboot $deps; do installed "$p" || fail "$p not installed after apt-get install ./pvboot"; done
echo "dependencies installed: $deps"

echo "--- mkpvimage in the chroot"
v=$(mkpvimage --version)
[ "$v" = "mkpvimage (pvboot) $UPSTREAM" ] || fail "mkpvimage --version: '$v', want 'mkpvimage (pvboot) $UPSTREAM'"
mkdir -p /etc/xen
mkpvimage -O x86_64-xen -c /root/test.cfg -o /etc/xen/x.bin || fail "mkpvimage -o /etc/xen/x.bin"
magic=$(head -c 20 /etc/xen/x.bin | od -An -tx1 | tr -d ' \n')
# ELF64 (02) little-endian (01) ET_EXEC (0200) x86-64 (3e00)
[ "${magic:0:12}" = 7f454c460201 ] && [ "${magic:32:8}" = 02003e00 ] ||
    fail "/etc/xen/x.bin is not an x86_64 ELF executable ($magic)"
echo "built /etc/xen/x.bin: $(stat -c %s /etc/xen/x.bin) bytes"
n=$(ls /usr/lib/pvboot/x86_64-xen/*.mod | wc -l)
[ "$n" -ge 2 ] || fail "only $n modules in /usr/lib/pvboot/x86_64-xen"
for f in /usr/share/man/man1/mkpvimage.1.gz /usr/share/bash-completion/completions/mkpvimage \
         /usr/share/doc/pvboot/copyright /usr/lib/pvboot/pvboot-x86_64-xen.bin \
         /usr/sbin/pvboot-xen-firmware; do
    [ -e "$f" ] || fail "$f is not installed"
done
# (libxenmisc4.17 owns /usr/lib/xen-4.17/lib; the firmware dir is xen-utils')
[ ! -e /usr/lib/xen-4.17/boot ] || fail "/usr/lib/xen-4.17/boot exists without xen-utils installed"

echo "--- autopkgtests (debian/tests) against the installed package"
tdeps=
for p in binutils e2fsprogs fdisk; do installed "$p" || tdeps="$tdeps $p"; done
[ -z "$tdeps" ] || apt_q install --no-install-recommends $tdeps >/root/testdeps.log 2>&1 ||
    { tail /root/testdeps.log; fail "install the autopkgtests' Depends"; }
for t in build-image probe-disk; do
    AUTOPKGTEST_TMP=$(mktemp -d) sh /root/debian-tests/$t >/root/$t.log 2>&1 || { cat /root/$t.log; fail "autopkgtest $t"; }
    tail -n 1 /root/$t.log
done
[ -z "$tdeps" ] || apt_q purge --autoremove $tdeps >/dev/null 2>&1 || fail "purge$tdeps"

echo "--- apt-get purge --autoremove pvboot"
rm -f /etc/xen/x.bin; rmdir /etc/xen          # the admin's own file
apt_q purge --autoremove pvboot >/root/purge.log 2>&1 || { cat /root/purge.log; fail "apt-get purge"; }
for p in pvboot libxenmisc4.17; do ! installed "$p" || fail "$p still installed after purge --autoremove"; done
snapshot /root/s1
same /root/s0 /root/s1 "install + purge of pvboot"
echo "nothing left behind ($(wc -l </root/s0) paths compared)"

[ "${PVBOOT_PKG_TEST_XEN:-1}" = 1 ] || exit 0
LINK=/usr/lib/xen-4.17/boot/pvgrub64.bin
IMG=/usr/lib/pvboot/pvboot-x86_64-xen.bin
echo "--- xl integration: xen-utils-4.17 first, then pvboot (postinst)"
apt_q install --no-install-recommends xen-utils-4.17 >/root/xen.log 2>&1 || { tail -n 30 /root/xen.log; fail "install xen-utils-4.17"; }
# xl's own firmware path format, read from the binary
fmt=$(grep -aoE '/[A-Za-z0-9_./+-]+/%s\.bin' /usr/lib/xen-4.17/bin/xl | sort -u)
[ "$fmt" = /usr/lib/xen-4.17/boot/%s.bin ] || fail "xl's firmware format is '$fmt'"
snapshot /root/s2
apt_q install --no-install-recommends "$DEB" >/root/install2.log 2>&1 || { cat /root/install2.log; fail "reinstall"; }
[ -L "$LINK" ] && [ "$(readlink -f "$LINK")" = "$IMG" ] || fail "$LINK does not lead to $IMG after postinst"
update-alternatives --query xen-4.17-pvgrub64 | grep -qx "Value: $IMG" ||
    fail "no alternative xen-4.17-pvgrub64 = $IMG: $(update-alternatives --query xen-4.17-pvgrub64 2>&1)"
out=$(pvboot-xen-firmware paths)
[ "$out" = "/usr/lib/xen-4.17/bin/xl $LINK pvboot" ] || fail "pvboot-xen-firmware paths: '$out'"
echo "postinst: $LINK -> $(readlink "$LINK") -> $(readlink -f "$LINK")"
apt_q remove pvboot >/root/remove.log 2>&1 || { cat /root/remove.log; fail "remove"; }
[ ! -e "$LINK" ] && [ ! -L "$LINK" ] || fail "$LINK left after apt-get remove pvboot"
apt_q purge --autoremove pvboot >/dev/null 2>&1
snapshot /root/s3
same /root/s2 /root/s3 "pvboot install + purge with Xen present"
echo "prerm removed $LINK"

echo "--- xl integration: pvboot first, then xen-utils-4.17 (dpkg trigger)"
apt_q purge --autoremove xen-utils-4.17 xen-utils-common >/dev/null 2>&1 || fail "purge xen-utils"
apt_q install --no-install-recommends "$DEB" >/dev/null 2>&1 || fail "install pvboot"
[ ! -e "$LINK" ] || fail "$LINK exists without Xen"
apt_q install --no-install-recommends xen-utils-4.17 >/root/xen2.log 2>&1 || fail "install xen-utils-4.17 again"
[ -L "$LINK" ] && [ "$(readlink -f "$LINK")" = "$IMG" ] || fail "$LINK not created by the trigger when xl arrived"
echo "trigger: $LINK -> $(readlink -f "$LINK")"
apt_q purge --autoremove xen-utils-4.17 xen-utils-common >/root/xen3.log 2>&1 || fail "purge xen-utils after pvboot"
[ ! -L "$LINK" ] || fail "stale $LINK after xen-utils-4.17 was purged"
! update-alternatives --query xen-4.17-pvgrub64 >/dev/null 2>&1 || fail "alternative xen-4.17-pvgrub64 left after xen-utils-4.17 was purged"
[ ! -e /usr/lib/xen-4.17/boot ] || { find /usr/lib/xen-4.17/boot >&2; fail "/usr/lib/xen-4.17/boot left behind"; }
echo "trigger: stale link and the emptied /usr/lib/xen-4.17/boot removed with xen-utils-4.17"
apt_q purge --autoremove pvboot >/dev/null 2>&1
snapshot /root/s4
# Xen's own packages may leave files of their own (python caches...); what
# must be gone is anything of pvboot's or in Xen's firmware directories.
left=$(diff /root/s0 /root/s4 | grep -E '^>.*(pvboot|pvgrub|/usr/lib/xen-)' || true)
[ -z "$left" ] || fail "left behind after the whole sequence: $left"
other=$(diff /root/s0 /root/s4 | grep -c '^[<>]' || true)
echo "whole sequence: no pvboot or xen firmware paths left ($other unrelated differences from Xen's packages, e.g.:"
diff /root/s0 /root/s4 | sed -n '/^[<>]/p' | sed -n '1,4s/^/    /p' || true
echo "  )"
echo "PASS(chroot)"
EOF
chmod 755 "$R/root/inside.sh"

log "running the test inside the chroot"
unshare --mount --propagation private bash -c '
    set -e
    R=$1; CACHE=$2
    mount -t proc proc "$R/proc"
    mount --rbind /dev "$R/dev"
    mount --bind "$CACHE/archives" "$R/var/cache/apt/archives"
    chroot "$R" /root/inside.sh
' _ "$R" "$CACHE" || fail "the chroot test failed"
log "PASS: package_debootstrap ($((SECONDS - T0)) s)"
