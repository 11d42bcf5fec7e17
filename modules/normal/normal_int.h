/* SPDX-License-Identifier: MIT */
/* Internal interfaces shared by the files of module `normal`. */
#ifndef PVBOOT_NORMAL_INT_H
#define PVBOOT_NORMAL_INT_H

#include <stdbool.h>


/* menu.c: open the scope of a submenu: a new environment level and a new,
 * empty menu (undone together by pb_menu_leave); 0, or the error with
 * nothing left pushed */
int normal_menu_push_scope(void);
/* menu.c: menuentry, submenu, hiddenentry */
void normal_register_menu_commands(void);
/* commands.c */
void normal_register_commands(void);
/* main.c */
void normal_register_main_commands(void);

#endif
