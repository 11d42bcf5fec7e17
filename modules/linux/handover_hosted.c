/* SPDX-License-Identifier: MIT */
/*
 * The hand-overs of the hosted build (include/pvboot/linux.h): on the build
 * machine there is no Xen domain to hand a kernel to.  Reached only when a
 * test sets the hosted session to load kernels (pb_hosted_set_decide_only
 * false): `linux` then reads, decompresses and checks the kernel as in a
 * guest, and `boot` ends here.
 */
#include "pvboot/err.h"
#include "pvboot/linux.h"

int pb_linux_handover(struct pb_linux_boot *b, const struct pb_layout *L)
{
    (void)b;
    (void)L;
    return pb_error(PB_ENOTSUP, "booting a kernel is only possible inside a Xen PV guest");
}

int pb_linux_handover_pvh(struct pb_linux_boot *b)
{
    (void)b;
    return pb_error(PB_ENOTSUP, "booting a kernel is only possible inside a Xen PVH guest");
}
