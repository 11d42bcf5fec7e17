/* SPDX-License-Identifier: MIT */
/*
 * Terminal: all user-visible output and key input.  On Xen the kernel module
 * registers the PV console ring; the hosted build registers stdio (or a test
 * capture).  Output is plain VT100/ANSI; never assume a screen size.
 */
#ifndef PVBOOT_TERM_H
#define PVBOOT_TERM_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Key codes returned by pb_getkey(): bytes 0x00-0xff as typed (UTF-8 bytes
 * pass through one by one; Ctrl-X = 0x18, Enter = '\r', Backspace = 0x08 or
 * 0x7f normalised to PB_KEY_BACKSPACE), special keys above 0xff. */
enum pb_key {
    PB_KEY_NONE = -1,
    PB_KEY_ENTER = '\r',
    PB_KEY_TAB = '\t',
    PB_KEY_ESC = 0x1b,
    PB_KEY_BACKSPACE = 0x08,
    PB_KEY_UP = 0x100, PB_KEY_DOWN, PB_KEY_LEFT, PB_KEY_RIGHT,
    PB_KEY_HOME, PB_KEY_END, PB_KEY_PGUP, PB_KEY_PGDN,
    PB_KEY_DELETE, PB_KEY_INSERT,
    PB_KEY_F1, PB_KEY_F2, PB_KEY_F3, PB_KEY_F4, PB_KEY_F5, PB_KEY_F6,
    PB_KEY_F7, PB_KEY_F8, PB_KEY_F9, PB_KEY_F10, PB_KEY_F11, PB_KEY_F12,
};
#define PB_KEY_CTRL(c) ((c) & 0x1f)

/* A terminal driver. */
struct pb_term_ops {
    const char *name;
    /* Write @len bytes; blocks (bounded) while the output ring is full. */
    void (*write)(const char *buf, size_t len);
    /* Next raw input byte, or -1 if none is available now. */
    int (*poll_byte)(void);
    /* Sleep until input may be available or until @deadline_ns (pb_time_ns
     * clock; 0 = no deadline). May return early. */
    void (*wait)(uint64_t deadline_ns);
    /* Wait until all output has left the guest (before hand-over). */
    void (*flush)(void);
};

/** pb_term_register() - make @ops the active terminal (the last one wins). */
void pb_term_register(const struct pb_term_ops *ops);
/** pb_term_active() - the active terminal or NULL. */
const struct pb_term_ops *pb_term_active(void);

/** pb_write() - write raw bytes to the terminal (dropped if none yet). */
void pb_write(const char *buf, size_t len);
/** pb_printf() - formatted output to the terminal ("\n" becomes "\r\n"). */
int pb_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/** pb_vprintf() - pb_printf() with a va_list; returns bytes formatted. */
int pb_vprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
/** pb_term_flush() - wait until output has been consumed. */
void pb_term_flush(void);

/**
 * pb_getkey() - read one decoded key (enum pb_key or a byte).
 * @timeout_ms: -1 waits forever, 0 polls, >0 waits at most that long.
 * Returns the key, or PB_KEY_NONE on timeout.  VT100/xterm escape
 * sequences (ESC [ A, ESC O H, ESC [ 5 ~, …) are decoded; a lone ESC is
 * reported as PB_KEY_ESC after a short pause.
 */
int pb_getkey(int timeout_ms);

/**
 * pb_key_decoder - incremental VT100/xterm input decoder (pure logic, unit
 * tested): feed bytes, get keys.
 */
struct pb_key_decoder {
    unsigned char buf[8];
    unsigned len;
    int pending;      /* byte + 1 that followed a lone ESC, 0 if none */
};
/** Feed one byte. Returns a key when one is complete, else PB_KEY_NONE. */
int pb_key_decoder_feed(struct pb_key_decoder *d, int byte);
/** No more bytes came in time: flush a pending lone ESC (or partial seq). */
int pb_key_decoder_timeout(struct pb_key_decoder *d);
/** A key queued behind a lone ESC (ESC then 'x' yields ESC, then 'x'). */
int pb_key_decoder_pending(struct pb_key_decoder *d);

#endif
