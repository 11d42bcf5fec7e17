/* SPDX-License-Identifier: MIT */
/*
 * The interactive command line (`c' in the menu, or when nothing booted):
 * lines read with pb_ui_readline (editing, history, completion) and run by
 * the script interpreter; errors are printed and the shell goes on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/err.h"
#include "pvboot/menu_ui.h"
#include "pvboot/script.h"
#include "pvboot/term.h"
#include "ui_int.h"

#define SHELL_LINE_MAX 4096

static struct pb_ui_history shell_history;

void pb_ui_shell(bool from_menu)
{
    /* from the menu a refusal goes back to it; when nothing booted the
     * command line is all there is, so ask again (never a dead console) */
    while (pb_auth_allowed(NULL)) {
        pb_print_error();
        pb_error_clear();
        if (from_menu) {
            ui_wait_key();
            return;
        }
        if (ui_auth_input_ended() || pb_script_stop_requested())
            return;
    }
    char *line = malloc(SHELL_LINE_MAX);
    if (!line) {
        pb_printf("error: out of memory for the command line\n");
        return;
    }
    pb_printf("Command line: `help' lists the commands, Tab completes%s.\n\n",
              from_menu ? ", Esc returns to the menu" : "");
    for (;;) {
        if (pb_script_stop_requested())
            break;
        int n = pb_ui_readline("pvboot> ", line, SHELL_LINE_MAX, &shell_history);
        if (n < 0)
            break;
        pb_ui_history_add(&shell_history, line);
        if (strcmp(line, "exit") == 0)
            break;
        pb_error_clear();
        pb_script_run(line, (size_t)n, "(command line)");
        if (pb_errcode()) {
            pb_print_error();
            pb_error_clear();
        }
    }
    free(line);
}
