/* SPDX-License-Identifier: MIT */
/*
 * Environment variables as GRUB has them: a stack of contexts; a new context
 * (configfile, submenu, menuentry) starts with copies of the exported
 * variables of the one below; pop discards it.
 */
#ifndef PVBOOT_ENV_H
#define PVBOOT_ENV_H

#include <stdbool.h>

/** pb_env_get() - value of @name in the current context, or NULL. */
const char *pb_env_get(const char *name);
/** pb_env_set() - set @name to @value (copied). Returns 0 or PB_ENOMEM/PB_EINVAL. */
int pb_env_set(const char *name, const char *value);
/** pb_env_unset() - remove @name (no error if absent). */
void pb_env_unset(const char *name);
/** pb_env_export() - mark @name exported (created empty if absent). */
int pb_env_export(const char *name);
/** pb_env_foreach() - call @cb for each variable in name order; stop on non-zero. */
int pb_env_foreach(int (*cb)(const char *name, const char *value, bool exported, void *ctx), void *ctx);
/** pb_env_push() - open a new context holding copies of the exported vars. */
int pb_env_push(void);
/** pb_env_pop() - drop the current context (not the bottom one). */
void pb_env_pop(void);
/** pb_env_depth() - number of contexts (1 at start). */
int pb_env_depth(void);

/**
 * pb_env_set_hook() - route every write of @name (pb_env_set, and
 * pb_env_unset, which becomes a write of "") through @write, as GRUB's
 * variable write hooks: @write gets the new value and returns 0 to accept
 * it, storing in *@out a malloc'd replacement value or NULL to keep the
 * given one; a negative PB_E* code (after pb_error) refuses the write and
 * the variable keeps its value.  One hook per name; NULL @write removes it.
 * Returns 0, or PB_ENOMEM when the hook table is full.
 */
int pb_env_set_hook(const char *name, int (*write)(const char *value, char **out));

#endif
