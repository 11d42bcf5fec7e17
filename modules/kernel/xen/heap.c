/* SPDX-License-Identifier: MIT */
/*
 * The heap: malloc/calloc/realloc/reallocarray/free/aligned_alloc/
 * posix_memalign over the page allocator (mm.c).
 *
 * Small requests (<= 2048 bytes) come from power-of-two size classes carved
 * out of whole pages (objects are naturally aligned to their size; a page
 * whose objects are all free again goes back to the page allocator, one
 * empty page per class is kept); larger
 * ones are runs of contiguous pages straight from the page allocator, so a
 * single allocation can be hundreds of MiB.  Per-page metadata
 * (pb_page_info[pfn]) says what a page holds, which lets free() validate
 * its argument:
 *   SLAB | class | used page carved into objects of class size
 *   LARGE_HEAD | npages first page of a large allocation
 *   LARGE_TAIL          other pages of a large allocation
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include "xen_internal.h"
#include "pvboot/kernel.h"

#define INFO_SLAB       0x40000000u
#define INFO_LARGE_HEAD 0x80000000u
#define INFO_LARGE_TAIL 0xc0000000u
#define INFO_KIND(x)    ((x) & 0xc0000000u)
#define INFO_VAL(x)     ((x) & 0x3fffffffu)

#define MIN_SHIFT 4                  /* 16 bytes */
#define NCLASSES 8                   /* 16 … 2048 */
#define MAX_SMALL (1u << (MIN_SHIFT + NCLASSES - 1))

/* slab page info: class in bits 0-2, objects in use in bits 3-12 */
#define SLAB_CLASS(x)   ((x) & 7u)
#define SLAB_INUSE(x)   (((x) >> 3) & 0x3ffu)
#define SLAB_INFO(c, n) (INFO_SLAB | (uint32_t)(c) | ((uint32_t)(n) << 3))

/* Free objects of a class, in one circular doubly linked list (an object
 * is at least 16 bytes), so that the objects of a page that became empty
 * can be unlinked and the page returned to the page allocator. */
struct free_obj { struct free_obj *next, *prev; };
static struct free_obj free_list[NCLASSES];
static unsigned empty_pages[NCLASSES];   /* fully free slab pages kept (<= 1) */
static size_t slab_pages, large_pages, large_allocs;

void pb_heap_stats(size_t *slab, size_t *large, size_t *nlarge)
{
    *slab = slab_pages;
    *large = large_pages;
    *nlarge = large_allocs;
}

static unsigned class_of(size_t n)
{
    unsigned c = 0;
    while ((1ul << (MIN_SHIFT + c)) < n)
        c++;
    return c;
}

static void obj_push(unsigned c, struct free_obj *o)
{
    struct free_obj *h = &free_list[c];
    if (!h->next)
        h->next = h->prev = h;
    o->next = h->next;
    o->prev = h;
    h->next->prev = o;
    h->next = o;
}

static void obj_unlink(struct free_obj *o)
{
    o->prev->next = o->next;
    o->next->prev = o->prev;
}

static void *small_alloc(unsigned c)
{
    struct free_obj *h = &free_list[c];
    size_t sz = 1ul << (MIN_SHIFT + c);
    if (!h->next || h->next == h) {
        char *page = pb_alloc_pages_raw(1, 1);
        if (!page)
            return NULL;
        pb_page_info[pb_virt_to_pfn(page)] = SLAB_INFO(c, 0);
        slab_pages++;
        empty_pages[c]++;
        for (size_t off = PB_PAGE_SIZE; off >= sz; off -= sz)
            obj_push(c, (struct free_obj *)(page + off - sz));
    }
    struct free_obj *o = h->next;
    obj_unlink(o);
    unsigned long pfn = pb_virt_to_pfn(o);
    uint32_t info = pb_page_info[pfn];
    if (SLAB_INUSE(info) == 0)
        empty_pages[c]--;
    pb_page_info[pfn] = SLAB_INFO(c, SLAB_INUSE(info) + 1);
    return o;
}

static void small_free(void *p, uint32_t info)
{
    unsigned c = SLAB_CLASS(info);
    unsigned long pfn = pb_virt_to_pfn(p);
    unsigned inuse = SLAB_INUSE(info);
    if (inuse == 0)
        pb_panic("free(%p): slab page has no objects in use (double free?)", p);
    obj_push(c, p);
    pb_page_info[pfn] = SLAB_INFO(c, inuse - 1);
    if (inuse - 1 > 0)
        return;
    if (empty_pages[c] == 0) {         /* keep one empty page per class */
        empty_pages[c]++;
        return;
    }
    /* give the page back: unlink all its (now free) objects */
    size_t sz = 1ul << (MIN_SHIFT + c);
    char *page = pb_pfn_to_virt(pfn);
    for (size_t off = 0; off + sz <= PB_PAGE_SIZE; off += sz)
        obj_unlink((struct free_obj *)(page + off));
    pb_page_info[pfn] = 0;
    slab_pages--;
    pb_free_pages(page, 1);
}

static void *large_alloc(size_t n, size_t align_pages)
{
    size_t np = (n + PB_PAGE_SIZE - 1) >> PB_PAGE_SHIFT;
    if (np == 0 || np > 0x3fffffffu || n > SIZE_MAX - PB_PAGE_SIZE)
        return NULL;
    char *p = pb_alloc_pages_raw(np, align_pages);
    if (!p)
        return NULL;
    unsigned long pfn = pb_virt_to_pfn(p);
    pb_page_info[pfn] = INFO_LARGE_HEAD | (uint32_t)np;
    for (size_t i = 1; i < np; i++)
        pb_page_info[pfn + i] = INFO_LARGE_TAIL;
    large_pages += np;
    large_allocs++;
    return p;
}

void *malloc(size_t n)
{
    void *p = n <= MAX_SMALL ? small_alloc(class_of(n ? n : 1)) : large_alloc(n, 1);
    if (!p)
        errno = ENOMEM;
    return p;
}

/* Usable size of a live allocation, panicking on a foreign pointer. */
static size_t alloc_size(void *p, const char *who)
{
    unsigned long pfn = pb_virt_to_pfn(p);
    uint32_t info = pfn < pb_nr_pages ? pb_page_info[pfn] : 0;
    switch (INFO_KIND(info)) {
    case INFO_SLAB: {
        size_t sz = 1ul << (MIN_SHIFT + SLAB_CLASS(info));
        if ((unsigned long)p & (sz - 1))
            pb_panic("%s(%p): not the start of a %zu-byte heap object", who, p, sz);
        return sz;
    }
    case INFO_LARGE_HEAD:
        if ((unsigned long)p & (PB_PAGE_SIZE - 1))
            pb_panic("%s(%p): not the start of a large allocation", who, p);
        return (size_t)INFO_VAL(info) << PB_PAGE_SHIFT;
    default:
        pb_panic("%s(%p): not a live heap pointer (page info %#x)", who, p, info);
    }
}

void free(void *p)
{
    if (!p)
        return;
    unsigned long pfn = pb_virt_to_pfn(p);
    size_t sz = alloc_size(p, "free");
    uint32_t info = pb_page_info[pfn];
    if (INFO_KIND(info) == INFO_SLAB) {
        small_free(p, info);
        return;
    }
    size_t np = sz >> PB_PAGE_SHIFT;
    for (size_t i = 0; i < np; i++)
        pb_page_info[pfn + i] = 0;
    large_pages -= np;
    large_allocs--;
    pb_free_pages(p, np);
}

void *calloc(size_t nmemb, size_t size)
{
    if (size && nmemb > SIZE_MAX / size) {
        errno = ENOMEM;
        return NULL;
    }
    void *p = malloc(nmemb * size);
    if (p)
        memset(p, 0, nmemb * size);
    return p;
}

void *realloc(void *p, size_t n)
{
    if (!p)
        return malloc(n);
    if (n == 0) {
        free(p);
        return NULL;
    }
    size_t old = alloc_size(p, "realloc");
    unsigned long pfn = pb_virt_to_pfn(p);
    if (INFO_KIND(pb_page_info[pfn]) == INFO_SLAB) {
        if (n <= old && (n > old / 2 || old == 16))
            return p;
    } else if (n > MAX_SMALL) {
        size_t np_old = old >> PB_PAGE_SHIFT;
        size_t np_new = (n + PB_PAGE_SIZE - 1) >> PB_PAGE_SHIFT;
        if (np_new > 0x3fffffffu || n > SIZE_MAX - PB_PAGE_SIZE) {
            errno = ENOMEM;
            return NULL;
        }
        if (np_new == np_old)
            return p;
        if (np_new < np_old) {            /* shrink in place */
            for (size_t i = np_new; i < np_old; i++)
                pb_page_info[pfn + i] = 0;
            pb_free_pages((char *)p + (np_new << PB_PAGE_SHIFT), np_old - np_new);
            pb_page_info[pfn] = INFO_LARGE_HEAD | (uint32_t)np_new;
            large_pages -= np_old - np_new;
            return p;
        }
        if (pb_pages_claim(pfn + np_old, np_new - np_old)) {   /* grow in place */
            for (size_t i = np_old; i < np_new; i++)
                pb_page_info[pfn + i] = INFO_LARGE_TAIL;
            pb_page_info[pfn] = INFO_LARGE_HEAD | (uint32_t)np_new;
            large_pages += np_new - np_old;
            return p;
        }
    }
    void *q = malloc(n);
    if (!q)
        return NULL;
    memcpy(q, p, old < n ? old : n);
    free(p);
    return q;
}

void *reallocarray(void *p, size_t nmemb, size_t size)
{
    if (size && nmemb > SIZE_MAX / size) {
        errno = ENOMEM;
        return NULL;
    }
    return realloc(p, nmemb * size);
}

void *aligned_alloc(size_t align, size_t n)
{
    if (align == 0 || (align & (align - 1))) {
        errno = EINVAL;
        return NULL;
    }
    void *p;
    if (n <= MAX_SMALL && align <= MAX_SMALL)
        p = small_alloc(class_of(n > align ? n : align ? align : 1));
    else
        p = large_alloc(n ? n : 1, align > PB_PAGE_SIZE ? align >> PB_PAGE_SHIFT : 1);
    if (!p)
        errno = ENOMEM;
    return p;
}

int posix_memalign(void **out, size_t align, size_t n)
{
    if (align < sizeof(void *) || (align & (align - 1)))
        return EINVAL;
    void *p = aligned_alloc(align, n);
    if (!p)
        return ENOMEM;
    *out = p;
    return 0;
}
