/* SPDX-License-Identifier: MIT */
/* pb_hosted_init() (include/pvboot/hosted.h): the hosted runtime with every
 * module.  A file of its own: only programs that call it link the modules'
 * init functions, and with them every module. */
#include <stdbool.h>
#include <stdlib.h>
#include "pvboot/env.h"
#include "pvboot/hosted.h"

void pb_hosted_init_modules(void);   /* generated: hosted_modules.c */

void pb_hosted_init(void)
{
    static bool done;
    if (done)
        return;
    done = true;
    pb_hosted_register_term();
    pb_hosted_init_modules();
    /* the filesystems' rescue switch (include/pvboot/crc32c.h) */
    const char *v = getenv("fs_ignore_checksums");
    if (v)
        pb_env_set("fs_ignore_checksums", v);
}
