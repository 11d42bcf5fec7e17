/* SPDX-License-Identifier: MIT */
/*
 * The probe order: which filesystem and which partition map is tried first
 * on a device.  One table each (modules/kernel/core/probe_order.c), used by
 * the image and by the hosted tools alike, so a device carrying two
 * signatures is read the same way by the guest and by pvboot-probe whatever
 * order the modules happen to register in (docs/architecture.md, "Probe
 * order").
 */
#ifndef PVBOOT_PROBE_ORDER_H
#define PVBOOT_PROBE_ORDER_H

/* Filesystem type names (struct pb_fs_ops.name) in probe order, NULL-ended. */
extern const char *const pb_fs_probe_order[];
/* Partition map names (struct pb_partmap.name) in probe order, NULL-ended. */
extern const char *const pb_partmap_probe_order[];

/**
 * pb_probe_rank() - the position of @name in the NULL-ended @order table
 * (0 = probed first); a name the table does not list ranks after every
 * listed one (the table's length).
 */
unsigned pb_probe_rank(const char *const *order, const char *name);

#endif
