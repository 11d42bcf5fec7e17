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

/* Final byte of "ESC [ params X" or "ESC O X". */
static int decode_seq(const unsigned char *b, unsigned len)
{
    unsigned char fin = b[len - 1];
    if (b[1] == 'O') {
        switch (fin) {
        case 'A': return PB_KEY_UP;
        case 'B': return PB_KEY_DOWN;
        case 'C': return PB_KEY_RIGHT;
        case 'D': return PB_KEY_LEFT;
        case 'H': return PB_KEY_HOME;
        case 'F': return PB_KEY_END;
        case 'P': return PB_KEY_F1;
        case 'Q': return PB_KEY_F2;
        case 'R': return PB_KEY_F3;
        case 'S': return PB_KEY_F4;
        default: return PB_KEY_NONE;
        }
    }
    /* CSI: parse the first numeric parameter */
    int num = 0;
    unsigned i = 2;
    while (i < len - 1 && b[i] >= '0' && b[i] <= '9')
        num = num * 10 + (b[i++] - '0');
    switch (fin) {
    case 'A': return PB_KEY_UP;
    case 'B': return PB_KEY_DOWN;
    case 'C': return PB_KEY_RIGHT;
    case 'D': return PB_KEY_LEFT;
    case 'H': return PB_KEY_HOME;
    case 'F': return PB_KEY_END;
    case '~':
        switch (num) {
        case 1: case 7: return PB_KEY_HOME;
        case 2: return PB_KEY_INSERT;
        case 3: return PB_KEY_DELETE;
        case 4: case 8: return PB_KEY_END;
        case 5: return PB_KEY_PGUP;
        case 6: return PB_KEY_PGDN;
        case 11: return PB_KEY_F1;
        case 12: return PB_KEY_F2;
        case 13: return PB_KEY_F3;
        case 14: return PB_KEY_F4;
        case 15: return PB_KEY_F5;
        case 17: return PB_KEY_F6;
        case 18: return PB_KEY_F7;
        case 19: return PB_KEY_F8;
        case 20: return PB_KEY_F9;
        case 21: return PB_KEY_F10;
        case 23: return PB_KEY_F11;
        case 24: return PB_KEY_F12;
        default: return PB_KEY_NONE;
        }
    default:
        return PB_KEY_NONE;
    }
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
