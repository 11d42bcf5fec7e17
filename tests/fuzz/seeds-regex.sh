#!/bin/bash
# SPDX-License-Identifier: MIT
# Seeds for fuzz_regex: PATTERN NUL SUBJECT pairs as GRUB configs and the
# differential corpus use them (device names, kernel paths), plus the
# constructs of each syntax class (groups, intervals, brackets, classes,
# back-references, GNU escapes, UTF-8) and some hostile ones.
set -euo pipefail
corpus=$1
n=0
seed() {  # PATTERN SUBJECT
    n=$((n + 1))
    printf '%s\0%s' "$1" "$2" >"$corpus/seed-$n"
}
seed '^\(([a-z]+[0-9]+),(gpt|msdos)([0-9]+)\)$' '(hd0,gpt2)'
seed '^/boot/vmlinuz-(.*)$' '/boot/vmlinuz-6.1.0-13-amd64'
seed 'a(b+)c' 'xabbbc'
seed '(a|ab)(c|bcd)(d*)' 'abcd'
seed '(a|b)*' 'ab'
seed '(a)\1' 'xaa'
seed '[[:digit:]]+' 'ab12'
seed '[^/]+' '/boot/grub'
seed '\<hd[0-9]\>' '(hd0,1)'
seed 'a{2,3}' 'aaaaa'
seed '[]a-c[:alpha:][=x=][.-.]]+' 'x-]a'
seed '\w+\W\s\S\b\B' 'ab c_d'
seed '(.)' 'é'
seed '(a*)*b' 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'
seed '((a+)+)+c' 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'
seed '(a*)*\1b' 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaa'
seed '(x?){3,5}y|(|z)' 'xxzy'
seed 'a{,2}(b{1,}|c{0})?$' 'aabbb'
