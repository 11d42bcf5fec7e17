/* SPDX-License-Identifier: MIT */
/* Internal helpers of the interactive UI (menu_ui.c, editor.c,
 * readline.c, shell.c, auth.c). */
#ifndef PVBOOT_NORMAL_UI_INT_H
#define PVBOOT_NORMAL_UI_INT_H

#include <stdbool.h>
#include <stddef.h>
#include "pvboot/strbuf.h"

/* The screen text is built in a struct pb_strbuf (include/pvboot/strbuf.h:
 * pb_strbuf_add, pb_strbuf_str) and written at once by ui_buf_flush. */
void ui_buf_printf(struct pb_strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* CSI row;col H (1-based) */
void ui_buf_goto(struct pb_strbuf *b, int row, int col);
/* Sanitised UTF-8 text cut to @cols columns; returns columns written. */
int ui_buf_text(struct pb_strbuf *b, const char *s, size_t len, int cols);
void ui_buf_spaces(struct pb_strbuf *b, int n);
/* write and free */
void ui_buf_flush(struct pb_strbuf *b);

/* Length in bytes of the UTF-8 sequence starting at @s (1 for an invalid
 * byte), at most @len. */
size_t ui_utf8_len(const unsigned char *s, size_t len);
/* Is the sequence at @s (@n bytes from ui_utf8_len) printable (shown as
 * itself, not as '?')? */
bool ui_utf8_printable(const unsigned char *s, size_t n);
/* One glyph of @s[0..len): a character and the zero-width marks after it
 * (or one invalid byte / control).  Returns its length in bytes (0 only
 * when @len is 0); *@cols gets its display columns (0, 1 or 2). */
size_t ui_glyph(const char *s, size_t len, int *cols);
/* Byte offset of the glyph that ends at or contains byte @pos of @s. */
size_t ui_glyph_prev(const char *s, size_t len, size_t pos);
/* Bytes of whole glyphs to skip so that at least @cols columns are
 * skipped; *@skipped gets the columns actually skipped (@cols, or @cols+1
 * when a wide character straddles the boundary, or fewer at the end). */
size_t ui_skip_cols(const char *s, size_t len, int cols, int *skipped);

/* The actions set by pb_ui_set_actions() (never NULL). */
const struct pb_ui_actions *ui_actions(void);
/* Boot entry @e (run in its own environment context) and, on failure,
 * show the error and wait for a key.  Returns the result. */
int ui_boot_entry(struct pb_menu_entry *e, const char *chosen);
/* Did the last password prompt end because input ended (not a wrong
 * password / Esc)? */
bool ui_auth_input_ended(void);
/* Wait for a key after an error ("Press any key to continue..."). */
void ui_wait_key(void);

#endif
