/* SPDX-License-Identifier: MIT */
/*
 * mkpvimage: the embedded config's build-time syntax check hook.
 *
 * The runtime's script interpreter is the one parser of configs.  Once it
 * exists, mkpvimage's main() installs its check function here with
 * mkpv_set_config_checker(); until then only the generic checks in link.c
 * (text without NUL bytes, size limit) apply.
 */
#include <bsd/string.h>

#include "mkpv.h"

static mkpv_config_checker checker;

void mkpv_set_config_checker(mkpv_config_checker fn)
{
    checker = fn;
}

int mkpv_check_config(const char *path, const char *text, size_t len)
{
    char msg[1024];
    if (!checker)
        return 0;
    msg[0] = '\0';
    if (checker(path, text, len, msg, sizeof(msg)) != 0) {
        if (!msg[0])
            strlcpy(msg, "syntax error", sizeof(msg));
        return mkpv_error("%s", msg);
    }
    return 0;
}
