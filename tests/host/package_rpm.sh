#!/bin/bash
# The RPM of rpm/pvboot.spec (Fedora/EL), built here with Debian's rpmbuild:
# `rpmbuild -bb --nodeps --nocheck` from a `git archive` tarball of the tree
# (--nodeps: the BuildRequires are Fedora package names, not in Debian's rpm
# database; the spec defines the %cmake macros Debian's rpm lacks).
# Checked: the file list (rpm -qlp) is exactly what the source tree installs
# (the Debian package's layout, docs and license in Fedora's places, xl's
# /usr/lib/xen/boot/pvgrub64.bin as a %ghost alternative), the scriptlets
# and triggers (rpm -qp --scripts/--triggers) register and remove that
# alternative, the version is CMakeLists.txt's, rpmlint reports no errors
# (rpm/pvboot.rpmlintrc explains its filter).  $PVBOOT_RPM skips the build.
set -euo pipefail
SRC=${PVBOOT_SRC:-$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)}
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }
for t in rpmbuild rpm rpmlint git; do
    command -v "$t" >/dev/null || fail "$t missing (scripts/install-deps.sh installs rpm rpmlint)"
done
W=$(mktemp -d /tmp/pvboot-rpm.XXXXXX)
trap 'rm -rf "$W"' EXIT
ver=$(sed -n 's/^project(pvboot VERSION \([0-9.]*\) .*/\1/p' "$SRC/CMakeLists.txt")
specver=$(sed -n 's/^Version: *//p' "$SRC/rpm/pvboot.spec")
[ "$ver" = "$specver" ] || fail "rpm/pvboot.spec Version $specver is not CMakeLists.txt's $ver"

rpmfile=${PVBOOT_RPM:-}
if [ -z "$rpmfile" ]; then
    mkdir -p "$W/top/SOURCES"
    ref=$(git -C "$SRC" stash create 2>/dev/null || true)
    git -C "$SRC" archive --prefix="pvboot-$ver/" -o "$W/top/SOURCES/pvboot-$ver.tar.gz" "${ref:-HEAD}"
    rpmbuild -bb --nodeps --nocheck --define "_topdir $W/top" "$SRC/rpm/pvboot.spec" >"$W/build.log" 2>&1 ||
        { tail -n 40 "$W/build.log"; fail "rpmbuild"; }
    rpmfile=$(ls "$W"/top/RPMS/x86_64/pvboot-"$ver"-*.x86_64.rpm)
fi
[ -s "$rpmfile" ] || fail "no RPM at '$rpmfile'"
ok "built $(basename "$rpmfile")"

# --- file list: exactly what the tree installs
rpm -qlp "$rpmfile" | LC_ALL=C sort >"$W/got"
{
    echo /usr/bin/mkpvimage; echo /usr/bin/pvboot-fstest; echo /usr/bin/pvboot-probe
    echo /usr/sbin/pvboot-xen-firmware
    echo /usr/lib/pvboot; echo /usr/lib/pvboot/x86_64-xen; echo /usr/lib/pvboot/pvboot-x86_64-xen.bin
    for d in "$SRC"/modules/*/; do
        [ -f "$d/CMakeLists.txt" ] && grep -q pvboot_module "$d/CMakeLists.txt" &&
            echo "/usr/lib/pvboot/x86_64-xen/$(basename "$d").mod"
    done
    for m in "$SRC"/man/*.[1-8]; do echo "/usr/share/man/man${m##*.}/$(basename "$m")"; done
    echo /usr/share/bash-completion/completions/mkpvimage
    echo /usr/share/bash-completion/completions/pvboot-xen-firmware
    echo /usr/share/pvboot; echo /usr/share/pvboot/default.cfg
    echo "/usr/share/doc/pvboot-$ver"; echo "/usr/share/doc/pvboot-$ver/README.md"
    echo "/usr/share/licenses/pvboot-$ver"; echo "/usr/share/licenses/pvboot-$ver/LICENSE"
    echo /usr/lib/xen/boot/pvgrub64.bin; echo /etc/alternatives/pvgrub64.bin
} | LC_ALL=C sort >"$W/want"
diff -u "$W/want" "$W/got" || fail "rpm -qlp differs from the expected layout (diff above: - expected, + in the RPM)"
ok "file list ($(wc -l <"$W/got") paths)"
rpm -qp --qf '[%{FILEFLAGS:fflags} %{FILENAMES}\n]' "$rpmfile" | grep -E ' /(usr/lib/xen/boot|etc/alternatives)/pvgrub64.bin$' |
    awk '{print $1}' | sort -u | grep -qx g || fail "the pvgrub64.bin links are not %ghost"
ok "xl's /usr/lib/xen/boot/pvgrub64.bin and /etc/alternatives/pvgrub64.bin are %ghost"

# --- scriptlets and triggers
rpm -qp --scripts "$rpmfile" >"$W/scripts"
rpm -qp --triggers "$rpmfile" >"$W/triggers"
install_line='update-alternatives --install /usr/lib/xen/boot/pvgrub64.bin pvgrub64.bin \'
remove_line='update-alternatives --remove pvgrub64.bin /usr/lib/pvboot/pvboot-x86_64-xen.bin || :'
awk '/^postinstall scriptlet/{f=1;next} /scriptlet/{f=0} f' "$W/scripts" | grep -qF "$install_line" ||
    fail "%post does not register the alternative: $(cat "$W/scripts")"
awk '/^postuninstall scriptlet/{f=1;next} /scriptlet/{f=0} f' "$W/scripts" | grep -qF "$remove_line" ||
    fail "%postun does not remove the alternative"
awk '/^postuninstall scriptlet/{f=1;next} /scriptlet/{f=0} f' "$W/scripts" | grep -qF 'if [ "$1" -eq 0 ]; then' ||
    fail "%postun removes the alternative on upgrade too"
grep -q '^triggerin scriptlet (using /bin/sh) -- xen-runtime$' "$W/triggers" || fail "no triggerin on xen-runtime"
grep -q '^triggerpostun scriptlet (using /bin/sh) -- xen-runtime$' "$W/triggers" || fail "no triggerpostun on xen-runtime"
awk '/^triggerin/{f=1;next} /scriptlet/{f=0} f' "$W/triggers" | grep -qF "$install_line" ||
    fail "triggerin does not register the alternative"
awk '/^triggerpostun/{f=1;next} /scriptlet/{f=0} f' "$W/triggers" | grep -qF "$remove_line" ||
    fail "triggerpostun does not remove the alternative"
ok "scriptlets: %post/%postun and triggers on xen-runtime (un)register pvgrub64.bin"

# --- version and contents
[ "$(rpm -qp --qf '%{VERSION}' "$rpmfile")" = "$ver" ] || fail "RPM version is not $ver"
mkdir "$W/root"
(cd "$W/root" && rpm2cpio "$rpmfile" | cpio -idm --quiet)
[ "$("$W/root/usr/bin/mkpvimage" --version)" = "mkpvimage (pvboot) $ver" ] || fail "mkpvimage --version"
"$W/root/usr/bin/mkpvimage" -O x86_64-xen -d "$W/root/usr/lib/pvboot/x86_64-xen" \
    -c "$SRC/embed/default.cfg" -o "$W/default.bin" || fail "the RPM's mkpvimage on its modules"
cmp -s "$W/default.bin" "$W/root/usr/lib/pvboot/pvboot-x86_64-xen.bin" ||
    fail "the RPM's prebuilt image is not mkpvimage(its modules, embed/default.cfg)"
ok "version $ver; mkpvimage rebuilds the prebuilt image byte for byte"

# --- rpmlint: no errors
# (Debian's rpmlint 2.4 with its default configuration; the filters of
# rpm/pvboot.rpmlintrc applied here: with -r it also turns on checks that
# Fedora's configuration leaves off, such as no-signature)
rpmlint "$rpmfile" >"$W/rpmlint" 2>&1 || true
sed -n 's/^addFilter("\(.*\)")$/\1/p' "$SRC/rpm/pvboot.rpmlintrc" >"$W/filters"
[ -s "$W/filters" ] || fail "no addFilter lines in rpm/pvboot.rpmlintrc"
grep -E ': [EW]: ' "$W/rpmlint" | grep -Ev -f "$W/filters" >"$W/left" || true
if grep -q ': E: ' "$W/left"; then
    grep ': E: ' "$W/left" >&2
    fail "rpmlint errors"
fi
ok "rpmlint: 0 errors after rpm/pvboot.rpmlintrc ($(grep -c ': W: ' "$W/left" || true) warnings: $(grep ': W: ' "$W/left" | awk '{print $3}' | sort | uniq -c | tr -s ' ' | tr '\n' ';'))"
echo "PASS: package_rpm"
