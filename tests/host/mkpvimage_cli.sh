#!/bin/bash
# mkpvimage command line: exact error messages and exit codes, --help,
# --version, --list-modules, a successful build checked by file(1) and
# libxenguest (mkpvimage verifies unless --no-verify), reproducibility, gzip,
# xz (bzImage container: header fields, payload = the -C none image), auto,
# and a write that fails halfway (ulimit -f) leaving the old image intact.
# Test modules are assembled here at run time.
set -u
BUILD=${PVBOOT_BUILD:?PVBOOT_BUILD must point at the build directory}
MK=$BUILD/src/mkpvimage
VERSION=$(sed -n 's/^#define PVBOOT_VERSION "\(.*\)"$/\1/p' "$BUILD/include/pvboot/version.h")
[ -x "$MK" ] || { echo "FAIL: $MK not built"; exit 1; }
[ -n "$VERSION" ] || { echo "FAIL: no PVBOOT_VERSION in $BUILD/include/pvboot/version.h"; exit 1; }

T=$(mktemp -d /tmp/mkpv-cli.XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
n=0

# expect RC EXPECTED_STDERR_LINE -- COMMAND...
expect() {
    local rc_want=$1 msg_want=$2
    shift 3
    n=$((n + 1))
    local out err rc
    out=$("$@" 2>"$T/stderr") && rc=0 || rc=$?
    err=$(cat "$T/stderr")
    if [ "$rc" != "$rc_want" ] || [ "$err" != "$msg_want" ]; then
        echo "FAIL [$n]: $*"
        echo "  exit $rc (want $rc_want)"
        echo "  stderr: $err"
        echo "  want:   $msg_want"
        fails=$((fails + 1))
    fi
}
check() {   # check DESCRIPTION COMMAND...
    n=$((n + 1))
    local what=$1
    shift
    if ! "$@"; then
        echo "FAIL [$n]: $what"
        fails=$((fails + 1))
    fi
}

M=$T/mods
mkdir "$M"
mod() {   # mod NAME < assembly
    cat > "$T/$1.S"
    as -o "$T/$1.o" "$T/$1.S" && ld -r -m elf_x86_64 --build-id=none -o "$M/$1.mod" "$T/$1.o" ||
        { echo "FAIL: cannot build test module $1"; exit 1; }
}
mod kernel <<'EOF'
.text
.globl _start
_start: lea pvboot_image_info(%rip), %rax
1: jmp 1b
.code32
.globl _start_pvh
_start_pvh: jmp _start_pvh
.code64
.globl pvboot_init_kernel
pvboot_init_kernel: ret
EOF
mod hello <<'EOF'
.text
.globl hello, pvboot_init_hello
hello: call helper
       ret
pvboot_init_hello: ret
EOF
mod helper <<'EOF'
.text
.globl helper
helper: ret
EOF
printf 'set timeout=3\nmenuentry "Debian" { linux /vmlinuz }\n' > "$T/grub.cfg"
CFG=$T/grub.cfg
OUT=$T/out/pvboot.bin
mkdir "$T/out"
U="(try 'mkpvimage --help')"

# ---- usage errors: exit 2
expect 2 "mkpvimage: missing -O FORMAT (use -O x86_64-xen) $U" -- "$MK"
expect 2 "mkpvimage: unknown format 'i386-pc' after -O (supported: x86_64-xen, i386-xen_pvh)" -- \
    "$MK" -O i386-pc -c "$CFG" -o "$OUT" -d "$M"
# no -o: the image goes to standard output, which must not be a terminal
# (script(1) gives the command a pseudo-terminal as its standard output)
if command -v script >/dev/null; then
    n=$((n + 1))
    got=$(script -qec "'$MK' -O x86_64-xen -c '$CFG' -d '$M'; echo rc=\$?" /dev/null | tr -d '\r')
    want="mkpvimage: no -o FILE and standard output is a terminal $U
rc=2"
    [ "$got" = "$want" ] || { echo "FAIL [$n]: no -o on a terminal: got '$got'"; fails=$((fails + 1)); }
fi
expect 2 "mkpvimage: unknown compression 'lz4' after -C (expected none, gzip, xz or auto) $U" -- \
    "$MK" -O x86_64-xen -c "$CFG" -o "$OUT" -C lz4
expect 2 "mkpvimage: unknown option --bogus $U" -- "$MK" --bogus
expect 2 "mkpvimage: unknown option -Z $U" -- "$MK" -Z
expect 2 "mkpvimage: option -c needs an argument $U" -- "$MK" -O x86_64-xen -c
expect 2 "mkpvimage: option --output needs an argument $U" -- "$MK" -O x86_64-xen --output

# ---- build errors: exit 1, one line naming the file
expect 1 "mkpvimage: $T/none.cfg: cannot open config: No such file or directory" -- \
    "$MK" -O x86_64-xen -c "$T/none.cfg" -o "$OUT" -d "$M"
expect 1 "mkpvimage: $T: config is not a regular file" -- "$MK" -O x86_64-xen -c "$T" -o "$OUT" -d "$M"
expect 1 "mkpvimage: unknown module: nosuch (neither a pvboot module in $M nor a GRUB module; see mkpvimage --list-modules and --grub-modules)" -- \
    "$MK" -O x86_64-xen -c "$CFG" -o "$OUT" -d "$M" nosuch
expect 1 "mkpvimage: $T/nosuch.mod: cannot open module: No such file or directory" -- \
    "$MK" -O x86_64-xen -c "$CFG" -o "$OUT" -d "$M" "$T/nosuch.mod"
expect 1 "mkpvimage: $T/nodir: cannot read module directory: No such file or directory" -- \
    "$MK" -O x86_64-xen -c "$CFG" -o "$OUT" -d "$T/nodir"
echo "not an object" > "$T/junk.mod"
expect 1 "mkpvimage: $T/junk.mod: not an ELF file" -- "$MK" -O x86_64-xen -c "$CFG" -o "$OUT" -d "$M" "$T/junk.mod"
head -c 40 "$M/hello.mod" > "$T/short.mod"
expect 1 "mkpvimage: $T/short.mod: truncated: 40 bytes, an ELF64 header needs 64" -- \
    "$MK" -O x86_64-xen -c "$CFG" -o "$OUT" -d "$M" "$T/short.mod"
size=$(stat -c %s "$M/hello.mod")
head -c $((size - 100)) "$M/hello.mod" > "$T/cut.mod"
shoff=$(readelf -h "$M/hello.mod" | sed -n 's/.*Start of section headers: *\([0-9]*\).*/\1/p')
shnum=$(readelf -h "$M/hello.mod" | sed -n 's/.*Number of section headers: *\([0-9]*\).*/\1/p')
expect 1 "mkpvimage: $T/cut.mod: truncated: $shnum section headers at offset $(printf 0x%x "$shoff") need $((shoff + shnum * 64)) bytes, file is $((size - 100)) bytes" -- \
    "$MK" -O x86_64-xen -c "$CFG" -o "$OUT" -d "$M" "$T/cut.mod"
printf '.text\nret\n' > "$T/m32.S" && as --32 -o "$T/m32.mod" "$T/m32.S"
expect 1 "mkpvimage: $T/m32.mod: wrong class: 32-bit ELF, expected ELF64 x86-64" -- \
    "$MK" -O x86_64-xen -c "$CFG" -o "$OUT" -d "$M" "$T/m32.mod"
cp "$M/hello.mod" "$T/arm.mod" && printf '\xb7\x00' | dd of="$T/arm.mod" bs=1 seek=18 conv=notrunc status=none
expect 1 "mkpvimage: $T/arm.mod: wrong machine: AArch64 (e_machine 183), expected x86-64 (62)" -- \
    "$MK" -O x86_64-xen -c "$CFG" -o "$OUT" -d "$M" "$T/arm.mod"
printf '.text\n.globl _start\n_start: ret\n' > "$T/exe.S" && as -o "$T/exe.o" "$T/exe.S" && ld -o "$T/exe.mod" "$T/exe.o"
expect 1 "mkpvimage: $T/exe.mod: wrong type: ET_EXEC (executable), expected ET_REL (a relocatable module made by ld -r)" -- \
    "$MK" -O x86_64-xen -c "$CFG" -o "$OUT" -d "$M" "$T/exe.mod"
printf '.data\n.quad 0\nx: .quad 0\n.reloc x, R_X86_64_GOTOFF64, helper\n' > "$T/badrel.S"
as -o "$T/badrel.o" "$T/badrel.S" && ld -r -o "$T/badrel.mod" "$T/badrel.o"
expect 1 "mkpvimage: $T/badrel.mod: section .data offset 0x8: unsupported relocation type 25 (R_X86_64_GOTOFF64)" -- \
    "$MK" -O x86_64-xen -c "$CFG" -o "$OUT" -d "$M" "$T/badrel.mod"
printf '.text\n.globl needy\nneedy: call nowhere\n' > "$T/needy.S"
as -o "$T/needy.o" "$T/needy.S" && ld -r -o "$T/needy.mod" "$T/needy.o"
expect 1 "mkpvimage: undefined symbol 'nowhere' referenced by module 'needy' ($T/needy.mod)" -- \
    "$MK" -O x86_64-xen -c "$CFG" -o "$OUT" -d "$M" "$T/needy.mod"
printf '.text\n.globl helper\nhelper: ret\n' > "$T/dup.S"
as -o "$T/dup.o" "$T/dup.S" && ld -r -o "$T/dup.mod" "$T/dup.o"
expect 1 "mkpvimage: duplicate symbol 'helper': defined in module 'dup' ($T/dup.mod) and module 'helper' ($M/helper.mod)" -- \
    "$MK" -O x86_64-xen -c "$CFG" -o "$OUT" -d "$M" "$T/dup.mod" helper
check "no output after failures" test ! -e "$OUT"
check "no temporary files after failures" test -z "$(ls -A "$T/out")"

# ---- informational
expect 0 "" -- "$MK" --version
check "--version text" test "$("$MK" --version)" = "mkpvimage (pvboot) $VERSION"
help=$("$MK" --help)
for opt in --format --config --output --directory --prefix --compression --memdisk --pubkey --verbose \
           --no-verify --list-modules --grub-modules --help --version; do
    check "--help mentions $opt" grep -q -- "$opt" <<<"$help"
done
check "--list-modules" test "$("$MK" --list-modules -d "$M")" = "$(printf 'hello\nhelper\nkernel')"
expect 1 "mkpvimage: $T/nodir: cannot read module directory: No such file or directory" -- \
    "$MK" --list-modules -d "$T/nodir"

# ---- success
expect 0 "" -- "$MK" -O x86_64-xen -c "$CFG" -o "$OUT" -d "$M" hello
check "ELF executable" grep -q "ELF 64-bit LSB executable, x86-64" <<<"$(file -b "$OUT")"
check "config embedded" grep -q 'menuentry "Debian"' "$OUT"
check "no host path in image" bash -c "! grep -q -- '$T' '$OUT'"
expect 0 "" -- "$MK" -O x86_64-xen -c "$CFG" -o "$OUT.2" -d "$M" hello
check "reproducible" cmp -s "$OUT" "$OUT.2"
expect 0 "" -- "$MK" -O x86_64-xen -c "$CFG" -o "$OUT.gz" -d "$M" -C gzip hello
check "gzip output" grep -q "gzip compressed data" <<<"$(file -b "$OUT.gz")"
check "gzip content" cmp -s <(gzip -dc "$OUT.gz") "$OUT"
# -C xz: a Linux boot protocol 2.08 container (bzImage) around an xz stream
expect 0 "" -- "$MK" -O x86_64-xen -c "$CFG" -o "$OUT.xz" -d "$M" -C xz hello
expect 0 "" -- "$MK" -O x86_64-xen -c "$CFG" -o "$OUT.xz2" -d "$M" -C xz hello
check "xz reproducible" cmp -s "$OUT.xz" "$OUT.xz2"
u8() { od -An -t u1 -j $(($2)) -N 1 "$1" | tr -d ' '; }
u16() { od -An -t u2 -j $(($2)) -N 2 "$1" | tr -d ' '; }
u32() { od -An -t u4 -j $(($2)) -N 4 "$1" | tr -d ' '; }
hexat() { od -An -t x1 -j $(($2)) -N $3 "$1" | tr -d ' \n'; }
X=$OUT.xz
xzsize=$(stat -c %s "$X")
plen=$(u32 "$X" 0x24c)
check "xz: stop stub at 0" test "$(hexat "$X" 0 4)" = faf4ebfd
check "xz: setup_sects 1" test "$(u8 "$X" 0x1f1)" = 1
check "xz: syssize" test "$(u32 "$X" 0x1f4)" = $(((16 + plen + 15) / 16))
check "xz: vid_mode" test "$(u16 "$X" 0x1fa)" = 65535
check "xz: boot_flag" test "$(hexat "$X" 0x1fe 2)" = 55aa
check "xz: jump" test "$(hexat "$X" 0x200 2)" = eb6e
check "xz: HdrS" test "$(hexat "$X" 0x202 4)" = 48647253
check "xz: version 2.08" test "$(u16 "$X" 0x206)" = $((0x0208))
check "xz: kernel_version" test "$(u16 "$X" 0x20e)" = $((0x80))
check "xz: loadflags" test "$(u8 "$X" 0x211)" = 1
check "xz: code32_start" test "$(u32 "$X" 0x214)" = $((0x100000))
check "xz: initrd_addr_max" test "$(u32 "$X" 0x22c)" = $((0x7fffffff))
check "xz: cmdline_size" test "$(u32 "$X" 0x238)" = 1023
check "xz: hardware_subarch Xen" test "$(u32 "$X" 0x23c)" = 2
check "xz: payload_offset" test "$(u32 "$X" 0x248)" = 16
check "xz: payload_length" test $((0x410 + plen)) = "$xzsize"
check "xz: size trailer" test "$(u32 "$X" $((xzsize - 4)))" = "$(stat -c %s "$OUT")"
check "xz: file(1) sees a bzImage" grep -q "^Linux kernel x86 boot executable bzImage, version pvboot $VERSION (Xen PV image, xz-compressed ELF)" <<<"$(file -b "$X")"
tail -c +$((0x410 + 1)) "$X" | head -c $((plen - 4)) > "$T/payload.xz"
check "xz: payload decompresses to the -C none image" cmp -s <(xz -dc "$T/payload.xz") "$OUT"
check "xz: payload check CRC32, filters x86 + LZMA2" \
    grep -q "^block	1	1	1	[0-9]*	0	[0-9]*	[0-9]*	[0-9.]*	CRC32	[0-9a-f]*	[0-9]*	cu	[0-9]*	[0-9]*	--x86 --lzma2=dict=[0-9]*KiB$" \
    <<<"$(xz --robot -lvv "$T/payload.xz")"
"$MK" -O x86_64-xen -c "$CFG" -o "$OUT.xzv" -d "$M" -C xz -v hello 2>"$T/verbose"
check "-v: xz size and libxenguest check" \
    grep -q "^mkpvimage: wrote $OUT.xzv: $xzsize bytes (xz bzImage), verified with libxenguest$" "$T/verbose"
"$MK" -O x86_64-xen -c "$CFG" -o "$OUT.xzv" -d "$M" -C xz -vv hello 2>"$T/verbose"
check "-vv: Xen's bzImage loader unpacked it" \
    grep -q "^mkpvimage: libxenguest: _xc_try_lzma_decode: XZ decompress OK, 0x$(printf %x "$plen") -> 0x$(printf %x "$(stat -c %s "$OUT")")$" "$T/verbose"
# -C auto: the smaller of gzip and xz, byte for byte
expect 0 "" -- "$MK" -O x86_64-xen -c "$CFG" -o "$OUT.auto" -d "$M" -C auto hello
if [ "$(stat -c %s "$OUT.gz")" -lt "$xzsize" ]; then small=$OUT.gz; else small=$X; fi
check "auto = smaller of gzip and xz" cmp -s "$OUT.auto" "$small"
"$MK" -O x86_64-xen -c "$CFG" -o "$OUT.v" -d "$M" -v hello 2>"$T/verbose"
check "-v lists the pulled dependency" grep -q "module helper ($M/helper.mod): needed by hello for 'helper'" "$T/verbose"
pv_entry=$(readelf -h "$OUT.v" | sed -n 's/.*Entry point address: *0x\([0-9a-f]*\).*/\1/p')
# PHYS32_ENTRY (note type 0x12): 4 bytes little-endian
pvh_entry=$(readelf -n "$OUT.v" | grep -A1 "(0x00000012)" | sed -n 's/.*description data: \(..\) \(..\) \(..\) \(..\).*/\4\3\2\1/p' | sed 's/^0*//')
check "PHYS32_ENTRY note present" test -n "$pvh_entry"
check "-v reports the libxenguest check (PV)" grep -q "accepted by libxenguest as a PV guest: guest type xen-3.0-x86_64, virt_base 0x0, entry 0x$pv_entry$" "$T/verbose"
check "-v reports the libxenguest check (PVH)" grep -q "accepted by libxenguest as a PVH guest: guest type hvm-3.0-x86_32, virt_base 0x0, entry 0x$pvh_entry$" "$T/verbose"
# -O i386-xen_pvh (grub-mkimage's name for its PVH platform): the same image
"$MK" -O i386-xen_pvh -c "$CFG" -o "$OUT.pvh" -d "$M" hello
check "-O i386-xen_pvh writes the same image as -O x86_64-xen" cmp -s "$OUT.pvh" "$OUT.v"
for c in gzip xz; do
    "$MK" -O i386-xen_pvh -c "$CFG" -o "$OUT.pvh.$c" -d "$M" -C $c -v hello 2>"$T/verbose"
    check "-C $c image accepted as PVH (xl decompresses it for PVH too)" \
        grep -q "accepted by libxenguest as a PVH guest: guest type hvm-3.0-x86_32" "$T/verbose"
done
"$MK" -O x86_64-xen -c "$CFG" -o "$OUT.v" -d "$M" -vvv hello 2>"$T/verbose"
entry=$(readelf -h "$OUT.v" | sed -n 's/.*Entry point address: *0x\([0-9a-f]*\).*/\1/p')
check "-vvv map shows _start_pvh at the PHYS32_ENTRY" \
    grep -q "^mkpvimage: map: $(printf %016x $((16#$pvh_entry))) kernel  *_start_pvh$" "$T/verbose"
check "-vvv map shows _start at the ELF entry" \
    grep -q "^mkpvimage: map: $(printf %016x $((16#$entry))) kernel  *_start$" "$T/verbose"
check "-vvv map shows the linker's image info" grep -q "^mkpvimage: map: [0-9a-f]* (linker)  *pvboot_image_info$" "$T/verbose"
expect 0 "" -- "$MK" -O x86_64-xen -c "$CFG" -o "$OUT.nv" -d "$M" --no-verify hello
check "--no-verify writes the same bytes" cmp -s "$OUT" "$OUT.nv"
# no -o: the same bytes on standard output (a file or a pipe)
expect 0 "" -- bash -c "'$MK' -O x86_64-xen -c '$CFG' -d '$M' hello > '$OUT.stdout'"
check "stdout: same bytes as -o" cmp -s "$OUT" "$OUT.stdout"
check "stdout through a pipe" cmp -s "$OUT" <("$MK" -O x86_64-xen -c "$CFG" -d "$M" hello | cat)
# no -c: the built-in default config (embed/default.cfg) is embedded
expect 0 "" -- "$MK" -O x86_64-xen -o "$OUT.nocfg" -d "$M" hello
check "no -c: default config embedded" grep -q "pvboot default embedded config" "$OUT.nocfg"
check "no -c: config is default.cfg" grep -qF "$(sed -n 30p "$PVBOOT_SRC/embed/default.cfg")" "$OUT.nocfg"
# standard output that is a regular file and fills up: cut back to where it was
head -c 60000 /dev/zero > "$OUT.append"
(ulimit -f 64; "$MK" -O x86_64-xen -c "$CFG" -d "$M" -m <(head -c 20000 /dev/zero) hello >> "$OUT.append") 2>"$T/stderr"
rc=$?
n=$((n + 1))
if [ $rc != 1 ] || [ "$(cat "$T/stderr")" != "mkpvimage: standard output: cannot write the image: File too large (output cut back to 60000 bytes)" ]; then
    echo "FAIL [$n]: stdout full: exit $rc, stderr: $(cat "$T/stderr")"
    fails=$((fails + 1))
fi
check "stdout file cut back" test "$(stat -c %s "$OUT.append")" = 60000
rm -f "$OUT".*

# ---- a write failing halfway keeps the old image (ulimit -f is in KiB)
cp "$OUT" "$T/good.bin"
big=$T/memdisk.img
head -c 200000 /dev/urandom > "$big"
(ulimit -f 64; "$MK" -O x86_64-xen -c "$CFG" -o "$OUT" -d "$M" -m "$big" hello) 2>"$T/stderr"
rc=$?
n=$((n + 1))
if [ $rc != 1 ] || ! grep -q "^mkpvimage: $OUT: cannot write temporary file $T/out/.pvboot.bin.tmp......: File too large$" "$T/stderr"; then
    echo "FAIL [$n]: ulimit -f: exit $rc, stderr: $(cat "$T/stderr")"
    fails=$((fails + 1))
fi
check "old image intact after failed write" cmp -s "$OUT" "$T/good.bin"
check "no temporary file after failed write" test "$(ls -A "$T/out")" = "pvboot.bin"

echo "mkpvimage_cli: $n checks, $fails failed"
[ $fails = 0 ]
