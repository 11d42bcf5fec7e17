/* SPDX-License-Identifier: MIT */
/*
 * Terminal core: output formatting and VT100/xterm key decoding on top of
 * the registered driver (include/pvboot/term.h).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/term.h"
#include "pvboot/time.h"

static const struct pb_term_ops *active;
static struct pb_key_decoder decoder;

/* How long the rest of an escape sequence may take to arrive over the
 * console (xl console may split it across ring updates). */
#define PB_ESC_WAIT_MS 60

void pb_term_register(const struct pb_term_ops *ops)
{
    active = ops;
}

const struct pb_term_ops *pb_term_active(void)
{
    return active;
}

void pb_write(const char *buf, size_t len)
{
    if (active && active->write)
        active->write(buf, len);
}

/* Write @buf turning bare "\n" into "\r\n" (the console is a raw tty). */
static void write_crlf(const char *buf, size_t len)
{
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        if (buf[i] == '\n' && (i == 0 || buf[i - 1] != '\r')) {
            pb_write(buf + start, i - start);
            pb_write("\r\n", 2);
            start = i + 1;
        }
    }
    pb_write(buf + start, len - start);
}

int pb_vprintf(const char *fmt, va_list ap)
{
    char small[256];
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    if (n < 0) {
        va_end(ap2);
        return n;
    }
    if ((size_t)n < sizeof small) {
        write_crlf(small, (size_t)n);
    } else {
        char *big;
        int m = vasprintf(&big, fmt, ap2);
        if (m >= 0) {
            write_crlf(big, (size_t)m);
            free(big);
        }
    }
    va_end(ap2);
    return n;
}

int pb_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = pb_vprintf(fmt, ap);
    va_end(ap);
    return n;
}

void pb_term_flush(void)
{
    if (active && active->flush)
        active->flush();
}

static int map_simple(int c)
{
    switch (c) {
    case 0x7f:
    case 0x08:
        return PB_KEY_BACKSPACE;
    case '\n':
        return PB_KEY_ENTER;
    default:
        return c;
    }
}

/*
 * Keys named by the final byte alone, as "ESC O X" (SS3) or "ESC [ X" (CSI,
 * parameters ignored).  F1-F4 (P Q R S) are only taken from SS3: a CSI with
 * those finals is not a key here.
 */
static const struct {
    unsigned char fin;
    bool ss3_only;
    int key;
} letter_keys[] = {
    { 'A', false, PB_KEY_UP },   { 'B', false, PB_KEY_DOWN },
    { 'C', false, PB_KEY_RIGHT }, { 'D', false, PB_KEY_LEFT },
    { 'H', false, PB_KEY_HOME }, { 'F', false, PB_KEY_END },
    { 'P', true, PB_KEY_F1 },    { 'Q', true, PB_KEY_F2 },
    { 'R', true, PB_KEY_F3 },    { 'S', true, PB_KEY_F4 },
};

/* Keys sent as "ESC [ num ~" (VT220 / xterm), by their number. */
static const struct {
    unsigned char num;
    int key;
} tilde_keys[] = {
    { 1, PB_KEY_HOME },  { 7, PB_KEY_HOME },  { 2, PB_KEY_INSERT }, { 3, PB_KEY_DELETE },
    { 4, PB_KEY_END },   { 8, PB_KEY_END },   { 5, PB_KEY_PGUP },   { 6, PB_KEY_PGDN },
    { 11, PB_KEY_F1 },   { 12, PB_KEY_F2 },   { 13, PB_KEY_F3 },    { 14, PB_KEY_F4 },
    { 15, PB_KEY_F5 },   { 17, PB_KEY_F6 },   { 18, PB_KEY_F7 },    { 19, PB_KEY_F8 },
    { 20, PB_KEY_F9 },   { 21, PB_KEY_F10 },  { 23, PB_KEY_F11 },   { 24, PB_KEY_F12 },
};

/* Key of a complete "ESC [ params X" or "ESC O X" in @b (@len >= 3 bytes),
 * PB_KEY_NONE for a sequence that names no key we know. */
static int decode_seq(const unsigned char *b, unsigned len)
{
    unsigned char fin = b[len - 1];
    bool ss3 = b[1] == 'O';
    if (!ss3 && fin == '~') {
        /* CSI: the first numeric parameter names the key */
        int num = 0;
        unsigned i = 2;
        while (i < len - 1 && b[i] >= '0' && b[i] <= '9')
            num = num * 10 + (b[i++] - '0');
        for (size_t k = 0; k < sizeof tilde_keys / sizeof tilde_keys[0]; k++)
            if (tilde_keys[k].num == num)
                return tilde_keys[k].key;
        return PB_KEY_NONE;
    }
    for (size_t k = 0; k < sizeof letter_keys / sizeof letter_keys[0]; k++)
        if (letter_keys[k].fin == fin && (ss3 || !letter_keys[k].ss3_only))
            return letter_keys[k].key;
    return PB_KEY_NONE;
}

int pb_key_decoder_feed(struct pb_key_decoder *d, int byte)
{
    unsigned char c = (unsigned char)byte;
    if (d->len == 0) {
        if (c == PB_KEY_ESC) {
            d->buf[d->len++] = c;
            return PB_KEY_NONE;
        }
        return map_simple(c);
    }
    if (d->len == 1) {
        if (c == '[' || c == 'O') {
            d->buf[d->len++] = c;
            return PB_KEY_NONE;
        }
        /* ESC followed by an ordinary key: report both, in order */
        d->len = 0;
        if (c == PB_KEY_ESC) {
            d->buf[d->len++] = c;
            return PB_KEY_ESC;
        }
        d->pending = map_simple(c) + 1;
        return PB_KEY_ESC;
    }
    d->buf[d->len++] = c;
    bool final = d->buf[1] == 'O' ? true : (c >= 0x40 && c <= 0x7e);
    if (final) {
        int k = decode_seq(d->buf, d->len);
        d->len = 0;
        return k;
    }
    if (d->len >= sizeof d->buf) {   /* overlong: drop it */
        d->len = 0;
    }
    return PB_KEY_NONE;
}

int pb_key_decoder_timeout(struct pb_key_decoder *d)
{
    if (d->len == 0)
        return PB_KEY_NONE;
    bool lone_esc = d->len == 1;
    d->len = 0;
    return lone_esc ? PB_KEY_ESC : PB_KEY_NONE;
}

int pb_key_decoder_pending(struct pb_key_decoder *d)
{
    if (!d->pending)
        return PB_KEY_NONE;
    int k = d->pending - 1;
    d->pending = 0;
    return k;
}

int pb_getkey(int timeout_ms)
{
    if (!active || !active->poll_byte)
        return PB_KEY_NONE;
    int k = pb_key_decoder_pending(&decoder);
    if (k != PB_KEY_NONE)
        return k;
    uint64_t now = pb_time_ns();
    uint64_t deadline = timeout_ms < 0 ? 0 : now + (uint64_t)timeout_ms * 1000000ull;
    uint64_t esc_deadline = 0;
    for (;;) {
        int b;
        while ((b = active->poll_byte()) >= 0) {
            k = pb_key_decoder_feed(&decoder, b);
            if (k != PB_KEY_NONE)
                return k;
            if (decoder.len > 0 && esc_deadline == 0)
                esc_deadline = pb_time_ns() + PB_ESC_WAIT_MS * 1000000ull;
        }
        now = pb_time_ns();
        if (decoder.len > 0 && now >= esc_deadline) {
            esc_deadline = 0;
            k = pb_key_decoder_timeout(&decoder);
            if (k != PB_KEY_NONE)
                return k;
        }
        if (decoder.len == 0 && timeout_ms >= 0 && now >= deadline)
            return PB_KEY_NONE;
        uint64_t until = decoder.len > 0 ? esc_deadline : deadline;
        if (active->wait)
            active->wait(until);
    }
}
