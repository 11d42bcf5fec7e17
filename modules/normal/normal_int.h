/* SPDX-License-Identifier: MIT */
/* Internal interfaces shared by the files of module `normal`. */
#ifndef PVBOOT_NORMAL_INT_H
#define PVBOOT_NORMAL_INT_H

#include <stdbool.h>

/* set when linux/initrd/... failed while an entry ran (then it is not booted) */
extern bool pb_normal_loader_cmd_failed;

/* commands.c */
void normal_register_commands(void);
/* main.c */
void normal_register_main_commands(void);

#endif
