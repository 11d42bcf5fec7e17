#!/bin/bash
# The Debian package built by scripts/package (dpkg-buildpackage), checked
# without installing it: two builds identical, file layout, every built module shipped, Depends from dpkg-shlibdeps,
# maintainer scripts + trigger, md5sums, one version everywhere, the shipped
# mkpvimage linking the shipped modules, lintian clean (errors and warnings;
# overrides explained in debian/pvboot.lintian-overrides), bash
# completion, and pvboot-xen-firmware resolving the firmware path of the
# host's own xl binary.  $PVBOOT_DEB skips the build.
set -euo pipefail
SRC=${PVBOOT_SRC:-$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)}
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }

deb=${PVBOOT_DEB:-}
pkgbuild=${PVBOOT_PKG_BUILD:-$SRC/build-pkg}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
if [ -z "$deb" ]; then
    # twice, from two build directories: the .deb files must be identical
    # (SOURCE_DATE_EPOCH from the commit, no build paths); the unit tests
    # run in the first build only
    # (one commit for both: uncommitted changes as a commit object)
    ref=$(git -C "$SRC" stash create 2>/dev/null || true)
    ref=${ref:-$(git -C "$SRC" rev-parse HEAD)}
    deb=$(bash "$SRC/scripts/package" --git "$ref" --build-dir "$pkgbuild" --no-lintian | tail -n 1)
    deb2=$(bash "$SRC/scripts/package" --git "$ref" --build-dir "$W/build2" --no-lintian --no-check | tail -n 1)
    if ! cmp -s "$deb" "$deb2"; then
        command -v diffoscope >/dev/null && diffoscope "$deb" "$deb2" | head -n 60 >&2
        fail "two builds differ: $deb $deb2"
    fi
    ok "reproducible: two builds (build dirs $pkgbuild, $W/build2) give identical .deb files"
    rm -rf "$W/build2"
fi
[ -s "$deb" ] || fail "no package at '$deb'"
dpkg-deb -x "$deb" "$W/root"
dpkg-deb -e "$deb" "$W/DEBIAN"
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' >"$W/list"

# --- layout
for f in /usr/bin/mkpvimage /usr/sbin/pvboot-xen-firmware /usr/lib/pvboot/pvboot-x86_64-xen.bin \
         /usr/lib/pvboot/x86_64-xen/kernel.mod /usr/share/man/man1/mkpvimage.1.gz \
         /usr/share/man/man7/pvboot-migration.7.gz /usr/share/man/man7/pvboot-troubleshooting.7.gz \
         /usr/share/man/man8/pvboot-xen-firmware.8.gz \
         /usr/share/bash-completion/completions/mkpvimage \
         /usr/share/bash-completion/completions/pvboot-xen-firmware \
         /usr/share/doc/pvboot/copyright /usr/share/doc/pvboot/changelog.gz \
         /usr/share/lintian/overrides/pvboot; do
    grep -qxF "$f" "$W/list" || fail "$f missing from the package"
done
if grep -E '^/usr/(local|lib/x86_64-linux-gnu)/|^/usr/share/man/.*[^z/]$' "$W/list"; then
    fail "misplaced files (above)"
fi
ok "layout ($(grep -c . "$W/list") paths)"

# --- every module that the build produced is shipped
built=$(ls -d "$pkgbuild"/src/pvboot-*/obj-*/modules/x86_64-xen 2>/dev/null | head -n 1 || true)
if [ -n "$built" ]; then
    (cd "$built" && ls *.mod) | sort >"$W/built"
    (cd "$W/root/usr/lib/pvboot/x86_64-xen" && ls *.mod) | sort >"$W/shipped"
    diff -u "$W/built" "$W/shipped" || fail "shipped modules differ from the built ones"
    ok "all $(wc -l <"$W/built") modules shipped"
fi

# --- Depends computed by dpkg-shlibdeps
depends=$(dpkg-deb -f "$deb" Depends)
deplist=$(tr ',' '\n' <<<"$depends" | sed 's/^ *//; s/[ (].*//')
for p in libc6 libelf1 zlib1g liblzma5 libxenmisc4.17 libbsd0 libseccomp2; do
    grep -qxF "$p" <<<"$deplist" ||
        fail "Depends lacks $p: $depends"
done
ok "Depends: $depends"

# --- control area
for s in postinst prerm postrm; do
    [ -x "$W/DEBIAN/$s" ] || fail "DEBIAN/$s missing or not executable"
    sh -n "$W/DEBIAN/$s" || fail "DEBIAN/$s: syntax"
done
# xl's firmware = "pvgrub64" of the Xen the package links: an alternative,
# (un)registered when that xl comes or goes (a trigger on that file only)
xenver=$(tr ',' '\n' <<<"$depends" | sed -n 's/^ *libxenmisc\([0-9]*\.[0-9]*\).*/\1/p')
[ -n "$xenver" ] || fail "no libxenmiscX.Y in Depends"
[ "$(grep -v '^#' "$W/DEBIAN/triggers")" = "interest-noawait /usr/lib/xen-$xenver/bin/xl" ] ||
    fail "DEBIAN/triggers: $(cat "$W/DEBIAN/triggers")"
grep -q "^LINK=\$FWDIR/pvgrub64.bin$" "$W/DEBIAN/postinst" &&
    grep -q "^FWDIR=/usr/lib/xen-$xenver/boot$" "$W/DEBIAN/postinst" &&
    grep -q 'update-alternatives --install "$LINK" "$NAME" "$IMAGE" 50' "$W/DEBIAN/postinst" ||
    fail "postinst does not register /usr/lib/xen-$xenver/boot/pvgrub64.bin"
grep -q "update-alternatives --remove xen-$xenver-pvgrub64 /usr/lib/pvboot/pvboot-x86_64-xen.bin" "$W/DEBIAN/prerm" ||
    fail "prerm does not remove the alternative"
(cd "$W/root" && md5sum --quiet -c "$W/DEBIAN/md5sums") || fail "md5sums do not match"
[ "$(wc -l <"$W/DEBIAN/md5sums")" = "$(find "$W/root" -type f | wc -l)" ] || fail "md5sums does not list every file"
ok "maintainer scripts, trigger, md5sums"

# --- one version: CMakeLists.txt project(VERSION) = package = mkpvimage = image
cmv=$(sed -n 's/^project(pvboot VERSION \([0-9.]*\) .*/\1/p' "$SRC/CMakeLists.txt")
[ -n "$cmv" ] || fail "no project(pvboot VERSION ...) in CMakeLists.txt"
pv=$(dpkg-deb -f "$deb" Version)
[ "${pv%%+*}" = "$cmv" ] || fail "package version $pv is not $cmv[+git...]"
mv_out=$("$W/root/usr/bin/mkpvimage" --version)
[ "$mv_out" = "mkpvimage (pvboot) $cmv" ] || fail "mkpvimage --version: '$mv_out'"
grep -aqF "$cmv" "$W/root/usr/lib/pvboot/pvboot-x86_64-xen.bin" || fail "image lacks the version string $cmv"
cl1=$(zcat "$W/root/usr/share/doc/pvboot/changelog.gz" | sed -n 1p)
[[ $cl1 == "pvboot ($pv) "* ]] || fail "changelog is not for $pv: $cl1"
ok "version $cmv (package $pv)"

# --- the shipped mkpvimage links the shipped modules
cfg=$W/t.cfg
printf 'set timeout=0\n' >"$cfg"
"$W/root/usr/bin/mkpvimage" -O x86_64-xen -d "$W/root/usr/lib/pvboot/x86_64-xen" -c "$cfg" -o "$W/x.bin" ||
    fail "shipped mkpvimage failed on the shipped modules"
[ "$(head -c 4 "$W/x.bin" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] || fail "x.bin is not ELF"
"$W/root/usr/bin/mkpvimage" -O x86_64-xen -d "$W/root/usr/lib/pvboot/x86_64-xen" \
    -c "$SRC/embed/default.cfg" -o "$W/default.bin" || fail "mkpvimage default.cfg"
if cmp -s "$W/default.bin" "$W/root/usr/lib/pvboot/pvboot-x86_64-xen.bin"; then
    ok "prebuilt image = mkpvimage(all shipped modules, embed/default.cfg), byte for byte"
else
    fail "the prebuilt image differs from mkpvimage's output for the shipped modules and embed/default.cfg"
fi

# --- bash completion (real bash-completion framework)
bc=/usr/share/bash-completion/bash_completion
if [ -r "$bc" ]; then
    moddir=$W/root/usr/lib/pvboot/x86_64-xen
    want_mods=$(cd "$moddir" && ls part_*.mod 2>/dev/null | sed 's/\.mod$//' | sort | tr '\n' ' ')
    got=$(bash -c '
        . "$1"; . "$2"
        c() { COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
              COMPREPLY=(); _mkpvimage mkpvimage; printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "; echo; }
        c mkpvimage -C ""
        c mkpvimage -O ""
        c mkpvimage -d "$3" part_
        c mkpvimage --no-v
    ' _ "$bc" "$W/root/usr/share/bash-completion/completions/mkpvimage" "$moddir")
    expect="auto gzip none xz 
x86_64-xen 
$want_mods
--no-verify "
    [ "$got" = "$expect" ] || fail "bash completion: got
$got
want
$expect"
    # every long option of `mkpvimage --help` is completed, and nothing else
    helpopts=$("$W/root/usr/bin/mkpvimage" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u | tr '\n' ' ')
    compopts=$(bash -c '
        . "$1"; . "$2"
        COMP_WORDS=(mkpvimage --); COMP_CWORD=1; COMP_LINE="mkpvimage --"; COMP_POINT=${#COMP_LINE}
        COMPREPLY=(); _mkpvimage mkpvimage; printf "%s\n" "${COMPREPLY[@]%=}" | sort -u | tr "\n" " "
    ' _ "$bc" "$W/root/usr/share/bash-completion/completions/mkpvimage")
    [ "$helpopts" = "$compopts" ] || fail "completion long options '$compopts' != mkpvimage --help '$helpopts'"
    ok "bash completion (-C, -O, module names from -d, long options = --help)"
fi

# --- xl's firmware path, from the host's own xl binary
xl=$(ls /usr/lib/xen-*/bin/xl 2>/dev/null | head -n 1 || true)
if [ -n "$xl" ]; then
    R=$W/fakeroot
    mkdir -p "$R$(dirname "$xl")" "$R/usr/lib/pvboot"
    cp "$xl" "$R$xl"
    cp "$W/root/usr/lib/pvboot/pvboot-x86_64-xen.bin" "$R/usr/lib/pvboot/"
    fmt=$(grep -aoE '/[A-Za-z0-9_./+-]+/%s\.bin' "$xl" | sort -u)
    want=${fmt/\%s/pvgrub64}
    fw=$W/root/usr/sbin/pvboot-xen-firmware
    out=$("$fw" --root "$R" paths)
    [ "$out" = "$xl $want absent" ] || fail "paths: '$out', want '$xl $want absent'"
    "$fw" --root "$R" --quiet install
    [ "$(readlink "$R$want")" = /usr/lib/pvboot/pvboot-x86_64-xen.bin ] || fail "install did not link $want"
    "$fw" --root "$R" --quiet install          # idempotent
    "$fw" --root "$R" --quiet remove
    [ ! -L "$R$want" ] || fail "remove left $want"
    # a foreign file is never replaced
    mkdir -p "$(dirname "$R$want")"; echo grub >"$R$want"
    "$fw" --root "$R" install 2>"$W/err" >/dev/null
    [ "$(cat "$R$want")" = grub ] || fail "install replaced a foreign $want"
    grep -q 'is not pvboot' "$W/err" || fail "no warning for the foreign $want"
    ok "pvboot-xen-firmware: $xl formats $fmt -> $want"
fi
# --- no build paths in anything shipped (dpkg-buildflags' -ffile-prefix-map,
# CMake's own for the modules; the modules' debug info is stripped)
for f in $(find "$W/root" -type f); do
    if strings -a "$f" | grep -E -e "$SRC/|/build-pkg/|/obj-x86_64-linux-gnu" >"$W/paths"; then
        fail "build path in ${f#"$W/root"}: $(head -n 3 "$W/paths")"
    fi
done
ok "no build paths (strings of every file)"

# --- lintian
if command -v lintian >/dev/null; then
    lintian --fail-on error,warning "$deb" >"$W/lintian" 2>&1 || { cat "$W/lintian"; fail "lintian errors or warnings"; }
    sed 's/^/  lintian: /' "$W/lintian"
    ok "lintian: no errors or warnings"
else
    fail "lintian not installed (scripts/install-deps.sh installs it)"
fi

echo "PASS: package_layout"
