/* SPDX-License-Identifier: MIT */
/* Internal interfaces shared by the files of module `normal`. */
#ifndef PVBOOT_NORMAL_INT_H
#define PVBOOT_NORMAL_INT_H

#include "../script/interp_int.h"

#endif
