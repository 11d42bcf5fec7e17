/* SPDX-License-Identifier: MIT */
/*
 * Inside the linux module: one formatted line of a boot plan's text
 * (pb_layout_print() for PV, pb_pvh_plan_print() for PVH).
 */
#ifndef PVBOOT_LINUX_PLAN_TEXT_H
#define PVBOOT_LINUX_PLAN_TEXT_H

/**
 * pb_plan_linef() - format @fmt (printf) into a line of at most 255 bytes
 * (longer text is cut) and hand it to @out with @ctx, without newline.
 */
void pb_plan_linef(void (*out)(void *ctx, const char *line), void *ctx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
