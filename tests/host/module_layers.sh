#!/bin/bash
# The script interpreter (modules/script) does not depend on the menu and
# user interface (modules/normal); normal depends on script.  Checks:
#  - no source of modules/script includes a header of normal (pvboot/menu.h,
#    pvboot/menu_ui.h, ../normal/...);
#  - script.mod leaves no symbol undefined that normal.mod defines (the
#    references mkpvimage follows to pull modules in), while normal.mod does
#    use script.mod's (so the check looks at the right files);
#  - mkpvimage, whose -c check runs the interpreter's parser, has none of
#    normal's symbols linked in;
#  - GRUB's module name `normal` (and pvboot's) brings script into an image.
#  - inside normal, its files (menu model, menu runner, menu_ui, editor,
#    readline, shell, auth, commands, main) use each other without
#    a cycle (nm over the hosted objects, tsort).
set -u
BUILD=${PVBOOT_BUILD:?PVBOOT_BUILD must point at the build directory}
SRC=${PVBOOT_SRC:?PVBOOT_SRC must point at the source tree}
MK=$BUILD/src/mkpvimage
M=${PVBOOT_MODDIR:-$BUILD/modules/x86_64-xen}
# a hosted-only build (the sanitizer build of scripts/test.sh has no
# freestanding modules): the full build's modules beside it, same sources
[ -f "$M/normal.mod" ] || M=$SRC/build/modules/x86_64-xen
[ -x "$MK" ] || { echo "FAIL: $MK not built"; exit 1; }
for f in "$M/normal.mod" "$M/script.mod"; do
    [ -f "$f" ] || { echo "FAIL: $f missing (PVBOOT_MODULES=ON build needed)"; exit 1; }
done

T=$(mktemp -d /tmp/module-layers.XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
n=0
fail() { echo "FAIL [$n]: $*"; fails=$((fails + 1)); }

# defined global symbols / undefined symbols of an object or executable
defined() { nm -g --defined-only "$1" | awk '{print $3}' | sort -u; }
undefined() { nm -u "$1" | awk '{print $2}' | sort -u; }

n=$((n + 1))
inc=$(grep -nE '#include *[<"](pvboot/menu\.h|pvboot/menu_ui\.h|\.\./normal/|normal_int\.h|ui_int\.h)' \
      "$SRC"/modules/script/*.[ch])
[ -z "$inc" ] || fail "modules/script includes normal's headers: $inc"

defined "$M/normal.mod" >"$T/normal.def"
defined "$M/script.mod" >"$T/script.def"
undefined "$M/normal.mod" >"$T/normal.undef"
undefined "$M/script.mod" >"$T/script.undef"
n=$((n + 1))
[ -s "$T/normal.def" ] && [ -s "$T/script.def" ] || fail "nm found no symbols"
n=$((n + 1))
up=$(comm -12 "$T/script.undef" "$T/normal.def")
[ -z "$up" ] || fail "script.mod uses symbols of normal.mod: $(echo $up)"
n=$((n + 1))
down=$(comm -12 "$T/normal.undef" "$T/script.def")
grep -qx pb_script_run <<<"$down" || fail "normal.mod does not use pb_script_run of script.mod: $(echo $down)"

# mkpvimage -c: the parser and nothing of the menu or UI
n=$((n + 1))
defined "$MK" >"$T/mk.def"
grep -qx pb_script_check "$T/mk.def" || fail "mkpvimage has no pb_script_check"
n=$((n + 1))
both=$(comm -12 "$T/mk.def" "$T/normal.def")
[ -z "$both" ] || fail "mkpvimage links normal's code: $(echo $both | cut -c1-300)"

# inside normal, the files call each other one way only (the menu and the
# editor get their actions as callbacks; the menu model, menu.c, is used by
# the runner, menu_run.c, and the interface, menu_ui.c, and uses neither):
# the graph of "uses a symbol defined by" between their objects has no cycle
O=$BUILD/src/CMakeFiles/pvboot_hosted.dir/__/modules/normal
n=$((n + 1))
: >"$T/edges"
FILES="menu menu_run menu_ui editor readline shell auth commands main"
for a in $FILES; do
    [ -f "$O/$a.c.o" ] || { fail "$O/$a.c.o missing"; continue; }
    echo "$a $a" >>"$T/edges"
    for b in $FILES; do
        [ $a != $b ] && [ -f "$O/$b.c.o" ] || continue
        [ -z "$(comm -12 <(undefined "$O/$a.c.o") <(defined "$O/$b.c.o"))" ] || echo "$a $b" >>"$T/edges"
    done
done
tsort "$T/edges" >/dev/null 2>"$T/tsort" || fail "normal's files call each other in a circle: $(cat "$T/tsort") (edges: $(grep -v '^\(.*\) \1$' "$T/edges" | tr '\n' ';'))"
n=$((n + 1))
for e in 'editor menu_ui' 'menu_ui menu' 'menu_run menu_ui'; do
    grep -qx "$e" "$T/edges" || fail "edge list misses ${e/ / -> }: $(cat "$T/edges" | tr '\n' ';')"
done

# `normal` (a GRUB name and pvboot's) pulls script in; script alone does not pull normal
printf 'menuentry x { true; }\n' >"$T/t.cfg"
for req in normal script; do
    n=$((n + 1))
    "$MK" -v -d "$M" -O x86_64-xen -c "$T/t.cfg" -o "$T/$req.bin" $req >"$T/out" 2>&1 ||
        { fail "mkpvimage ... $req: $(cat "$T/out")"; continue; }
    sed -n 's/^mkpvimage: module table [0-9]*: \([a-z0-9_]*\).*/\1/p' "$T/out" | sort >"$T/linked"
    grep -qx script "$T/linked" || fail "$req: script not linked: $(echo $(cat "$T/linked"))"
    if [ $req = normal ]; then
        grep -qx normal "$T/linked" || fail "normal: normal not linked"
    else
        ! grep -qx normal "$T/linked" || fail "script alone pulled normal in: $(echo $(cat "$T/linked"))"
    fi
done

echo "module_layers: $n checks, $fails failed"
[ $fails = 0 ]
