#!/bin/bash
# e2e: the interactive menu, editor, command line and passwords
# under real Xen, driven by keys typed into the domain's console from dom0
# (the pty xenconsoled gives `xl console`), with the screen read back from
# xenconsoled's log of the domain's console.  Two boots of the all-modules
# image on an ext4/msdos disk from `xenlab mkdisk --cfg`:
#   run 1: the countdown is interrupted by a key; Up/Enter on a restricted
#          entry with a wrong password is refused ("access denied", back to
#          the menu); `c' logs in the superuser and runs `ls', `ls PATH',
#          `cat FILE', a failing command (the shell goes on), Esc back to the
#          menu; Down picks the second entry, `e' edits its kernel command
#          line, Ctrl-X boots it: the guest's /proc/cmdline shows the edit.
#   run 2: timeout_style=hidden countdown interrupted by Esc; `c', Tab
#          completes a command and a path; `linux', `initrd', `boot' typed
#          by hand boot the guest with the typed command line; a missing
#          kernel first gives an error and the shell goes on.
# Key script helper: keyscript in tests/e2e/lib/e2e-lib.sh.
# Environment: PVBOOT_SRC, PVBOOT_BUILD (set by ctest).
# shellcheck source-path=SCRIPTDIR source=lib/e2e-lib.sh
. "$(dirname "$0")/lib/e2e-lib.sh"
e2e_need normal linux password_pbkdf2 ls cat help

e2e_workdir menu
mk_default_image

# password "secret": printf 'secret\nsecret\n' | grub-mkpasswd-pbkdf2 -c 1000
HASH=grub.pbkdf2.sha512.1000.942A2CB0FEFE7CAF4783FBCDCDFAB6C68D38D9848444E8044A5BD60EA6D16CD11A8639EF1E5F2D18315F5F2020D1ABED808AC1AB0B3E1459200D6EA59B59EC3B.47C208968081352352696E3DC40B4B15F77CED8C5515E5C69FCC62B21E940755BDF0E784BDB81C86C1A8DDD982E0E5E6F116117555DE7C60F02EDB90C7DD51AD
cat >"$W/grub.cfg" <<CFG
set superusers="root"
password_pbkdf2 root $HASH
if [ -n "\$menu_hidden" ]; then set timeout_style=hidden; fi
set timeout=20
menuentry 'Locked: superusers only' {
	linux /boot/vmlinuz-$KVER root=/dev/xvda1 ro console=hvc0 locked=1
	initrd /boot/initrd.img-$KVER
}
menuentry 'Debian (unrestricted)' --unrestricted {
	echo 'menu-e2e: second entry'
	linux /boot/vmlinuz-$KVER root=/dev/xvda1 ro console=hvc0
	initrd /boot/initrd.img-$KVER
}
CFG
"$XENLAB" mkdisk "$W/disk.img" --fs ext4 --label msdos --cfg "$W/grub.cfg" >"$W/mkdisk.txt" 2>&1 \
    || { echo "FAIL: mkdisk"; cat "$W/mkdisk.txt"; exit 1; }

UP='\033[A' DOWN='\033[B' ESC='\033'

# run NAME EXTRA SHOW-REGEX <KEY-STEPS: one boot typing KEY-STEPS (keyscript);
# CON = its console log, S = the same as screen text (escapes removed, one
# line per CR/LF); prints the console lines matching SHOW-REGEX.
run() {
    xenlab_run "$W/$1" "$W/$1.txt" --loader "$W/pvboot.bin" --disk "$W/disk.img" --extra "$2" \
        --expect 'XENLAB-DOMU-CMDLINE|MENU-E2E-KEYS-TIMEOUT' --timeout 300 \
        --post-create "$(keyscript MENU-E2E-KEYS-TIMEOUT)"
    echo "[$1] xenlab rc $rc"
    grep 'XENLAB-TIME' "$W/$1.txt" | sed "s/^/[$1] /" || true
    S=$(tr -d '\r' <"$W/$1/domu-console.log" 2>/dev/null | sed 's/\x1b\[[0-9;]*[A-Za-z]/\n/g' || true)
    echo "$CON" | grep -E "$3" | cut -c1-200 | sed "s/^/[$1] console| /" || true
}

# ---- run 1 ----
run run1 '' 'XENLAB-DOMU|^error|MENU-E2E|Booting' <<KEYS
w 'automatically in'
k '$DOWN'
k '$UP'
k '\r'
w 'Enter username:'
k 'root\r'
k 'wrong\r'
w 'access denied'
k 'x'
w 'pvboot boot menu'
k 'c'
w 'Enter username:'
k 'root\r'
k 'secret\r'
w 'pvboot> '
k 'ls\r'
w 'pvboot> '
k 'ls /boot/\r'
w 'pvboot> '
k 'cat /boot/grub/grub.cfg\r'
w 'pvboot> '
k 'nosuchcmd\r'
w 'pvboot> '
k 'echo shell-still-alive\r'
w 'shell-still-alive'
k '$ESC'
w 'pvboot boot menu'
k '$DOWN'
k 'e'
w 'Editing: '
k '$DOWN'
k '\005 pvboot_edited=yes'
k '\030'
KEYS
C1=$CON S1=$S
check "countdown shown" 'echo "$S1" | grep -q "The highlighted entry will be booted automatically in 20 s."'
check "countdown interrupted (first entry not booted automatically)" '! echo "$C1" | grep -q "Booting .Locked"'
REV=$(printf '\033[7m*Locked: superusers only')
check "menu drawn with the selected entry in reverse video" 'grep -aqF "$REV" "$W/run1/domu-console.log"'
check "wrong password refused" 'echo "$S1" | grep -q "error: access denied."'
check "superuser logged in for the command line" 'echo "$S1" | grep -q "Command line: .help. lists the commands"'
check "ls lists devices" 'echo "$S1" | grep -q "(xen/xvda,msdos1)"'
check "ls /boot/ lists the kernel" 'echo "$S1" | grep -q "vmlinuz-$KVER"'
check "cat prints grub.cfg" 'echo "$S1" | grep -q "menuentry .Debian (unrestricted). --unrestricted {"'
check "unknown command: error, shell goes on" \
      'echo "$S1" | grep -q "can.t find command .nosuchcmd." && echo "$S1" | grep -qx "shell-still-alive"'
check "editor shown" 'echo "$S1" | grep -q "Editing: Debian (unrestricted)"'
check "second entry booted (picked with arrows)" 'echo "$C1" | grep -q "menu-e2e: second entry"'
check "edited command line reached the guest" \
      'echo "$C1" | grep -qx "XENLAB-DOMU-CMDLINE: root=/dev/xvda1 ro console=hvc0 pvboot_edited=yes"'
check "no key script timeout" '! echo "$C1" | grep -q MENU-E2E-KEYS-TIMEOUT'

# ---- run 2 ----
run run2 'xen_grub_env_menu_hidden=1' 'XENLAB-DOMU|^error|MENU-E2E' <<KEYS
w 'pvboot: using'
k '$ESC'
w 'pvboot boot menu'
k 'c'
w 'Enter username:'
k 'root\r'
k 'secret\r'
w 'pvboot> '
k 'linux /boot/nosuchkernel\r'
w 'pvboot> '
k 'hel\t\r'
w 'pvboot> '
k 'linux /boot/vmli\t'
k 'root=/dev/xvda1 ro console=hvc0 typed_by_hand=1\r'
w 'pvboot> '
k 'initrd /boot/initrd.img-$KVER\r'
w 'pvboot> '
k 'boot\r'
KEYS
C2=$CON S2=$S
check "hidden: no countdown line, menu after Esc" \
      '! echo "$S2" | grep -q "automatically in" && echo "$S2" | grep -q "pvboot boot menu"'
check "missing kernel: error shown, shell goes on" 'echo "$S2" | grep -q "nosuchkernel"'
check "Tab completed a command (help ran)" 'echo "$S2" | grep -q "Every command also answers --help."'
check "Tab completed a path" 'echo "$S2" | grep -q "linux /boot/vmlinuz-$KVER"'
check "linux/initrd/boot by hand booted the guest" \
      'echo "$C2" | grep -qx "XENLAB-DOMU-CMDLINE: root=/dev/xvda1 ro console=hvc0 typed_by_hand=1"'
check "no key script timeout" '! echo "$C2" | grep -q MENU-E2E-KEYS-TIMEOUT'
check_no_fault "$C1$C2"

e2e_finish menu
