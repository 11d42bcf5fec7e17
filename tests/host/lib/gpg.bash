# OpenPGP keys and detached signatures made by gpg at test time (sourced by
# tests/host/pgp.sh and tests/e2e/boot_signed.sh; not run).  A private
# GNUPGHOME under $1, keys without passphrase.

# gpg_init DIR: use DIR/gnupg as the keyring (created)
gpg_init() {
    export GNUPGHOME=$1/gnupg
    mkdir -p -m 700 "$GNUPGHOME"
}
# gpg_stop: end the gpg-agent of this keyring (call from the EXIT trap)
gpg_stop() {
    [ -n "${GNUPGHOME:-}" ] && gpgconf --kill all 2>/dev/null || true
}
# gpg_key NAME ALGO: a signing key (rsa2048, rsa3072, rsa4096, ed25519...)
# with user ID "NAME <NAME@pvboot.invalid>"
gpg_key() {
    gpg -q --batch --pinentry-mode loopback --passphrase '' \
        --quick-gen-key "$1 <$1@pvboot.invalid>" "$2" sign never 2>/dev/null
}
# gpg_subkey NAME ALGO: add a signing subkey to NAME's key
gpg_subkey() {
    gpg -q --batch --pinentry-mode loopback --passphrase '' \
        --quick-add-key "$(gpg_fpr "$1" | head -1)" "$2" sign never 2>/dev/null
}
# gpg_export NAME FILE: NAME's public key, binary
gpg_export() {
    gpg -q --batch --export "<$1@pvboot.invalid>" >"$2"
}
# gpg_sign NAME FILE [DIGEST [KEYID!]]: FILE.sig, detached, binary
gpg_sign() {
    local who="<$1@pvboot.invalid>"
    [ -n "${4:-}" ] && who=$4
    gpg -q --batch --yes --pinentry-mode loopback --passphrase '' -u "$who" \
        ${3:+--digest-algo "$3"} --detach-sign -o "$2.sig" "$2" 2>/dev/null
}
# gpg_fpr NAME: the fingerprints of NAME's key and subkeys (40 hex digits, upper case)
gpg_fpr() {
    gpg --batch --with-colons --fingerprint --fingerprint "<$1@pvboot.invalid>" 2>/dev/null |
        awk -F: '$1 == "fpr" {print $10}'
}
# gpg_keyid NAME [N]: the 16-digit key ID (lower case) of NAME's key (N=1) or Nth subkey
gpg_keyid() {
    gpg_fpr "$1" | sed -n "${2:-1}p" | cut -c25-40 | tr 'A-F' 'a-f'
}
