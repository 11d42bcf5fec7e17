/* SPDX-License-Identifier: MIT */
/* Module `script`: registers the commands that belong to the interpreter. */
#include "interp_int.h"

void pvboot_init_script(void);
void pvboot_init_script(void)
{
    script_register_builtins();
    script_register_test();
    script_register_strcmds();
}
