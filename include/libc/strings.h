#ifndef PVBOOT_LIBC_STRINGS_H
#define PVBOOT_LIBC_STRINGS_H
#include <string.h>
#endif
