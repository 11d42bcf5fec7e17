/* SPDX-License-Identifier: MIT */
/*
 * mkpvimage: the static linker.
 *
 * Steps (mkpv_link):
 *  1. load the requested modules and "kernel";
 *  2. pull in moddir modules defining symbols that are still undefined
 *     (like an archive: only strong undefined references pull);
 *  3. COMDAT groups: the first copy in canonical order (kernel, then by
 *     name) is kept, later copies are discarded;
 *  4. global symbol table: strong > common > weak; two strong definitions
 *     are an error naming both modules; a strong undefined reference that
 *     nothing defines is an error naming the symbol and the module;
 *  5. module table order: a module comes after every module defining a
 *     symbol it uses, "kernel" first, ties by name;
 *  6. GOT: R_X86_64_GOTPCRELX/REX_GOTPCRELX on `mov`, `call *`, `jmp *` are
 *     relaxed to lea/direct call/direct jmp (the psABI's allowed
 *     transformations), every other GOT reference gets a read-only GOT slot
 *     holding the absolute address;
 *  7. layout at PVBOOT_LINK_BASE: text (RX), rodata + linker data (R),
 *     data + bss + commons (RW), each segment page aligned;
 *  8. relocation (x86-64 psABI, "Relocation Types"): S + A, S + A - P,
 *     G + GOT + A - P with range checks.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>

#include "pvboot/image.h"
#include "pvboot/version.h"
#include "mkpv_int.h"

#ifndef PVBOOT_DEFAULT_MODDIR
#error "PVBOOT_DEFAULT_MODDIR must be defined by the build (src/CMakeLists.txt)"
#endif

const char *mkpv_default_moddir(void)
{
    return PVBOOT_DEFAULT_MODDIR;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) & ~(a - 1);
}

/* ---------------------------------------------------------------- modules */

static int add_module(struct mkpv_link *l, struct mkpv_mod *m)
{
    if (l->nmods == l->capmods) {
        size_t ncap = l->capmods ? l->capmods * 2 : 32;
        struct mkpv_mod **nm = reallocarray(l->mods, ncap, sizeof(*nm));
        if (!nm)
            return mkpv_error("out of memory");
        l->mods = nm;
        l->capmods = ncap;
    }
    l->mods[l->nmods++] = m;
    return mkpv_map_put(&l->modmap, m->name, m);
}

/* Load module @name from moddir (or return the one already loaded). */
static struct mkpv_mod *moddir_module(struct mkpv_link *l, const char *name)
{
    struct mkpv_mod *m = mkpv_map_get(&l->modmap, name);
    if (m)
        return m;
    char path[4096];
    if ((size_t)snprintf(path, sizeof(path), "%s/%s%s", l->moddir, name, MKPV_MOD_SUFFIX) >=
        sizeof(path)) {
        mkpv_error("%s/%s%s: path too long", l->moddir, name, MKPV_MOD_SUFFIX);
        return NULL;
    }
    m = mkpv_mod_load(path, name);
    if (!m)
        return NULL;
    m->from_moddir = true;
    if (add_module(l, m) < 0) {
        mkpv_mod_free(m);
        return NULL;
    }
    return m;
}

/* Whether paths @a and @b name one file (./x.mod and x.mod, a symlink). */
static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

static bool is_path(const char *arg)
{
    size_t n = strlen(arg), sl = strlen(MKPV_MOD_SUFFIX);
    return strchr(arg, '/') || (n > sl && strcmp(arg + n - sl, MKPV_MOD_SUFFIX) == 0);
}

static int include_module(struct mkpv_mod *m, const char *why)
{
    if (m->included)
        return 0;
    m->included = true;
    mkpv_verbose(1, "module %s (%s)%s%s", m->name, m->path, why ? ": " : "", why ? why : "");
    return 0;
}

static int load_requested(struct mkpv_link *l)
{
    const struct mkpv_options *o = &l->opt;
    char **all = NULL;
    size_t nall = 0;
    const char *const *list = o->modules;
    size_t n = o->nr_modules;
    if (n == 0) {
        if (mkpv_moddir_scan(l->moddir, &all, &nall) < 0)
            return -1;
        list = (const char *const *)all;
        n = nall;
        mkpv_verbose(1, "no modules named: using all %zu modules in %s", n, l->moddir);
    }
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const char *arg = list[i];
        if (!*arg) {
            rc = mkpv_error("empty module name");
            break;
        }
        if (is_path(arg)) {
            char *name = mkpv_mod_name_from_path(arg);
            if (!name) {
                rc = -1;
                break;
            }
            struct mkpv_mod *prev = mkpv_map_get(&l->modmap, name);
            if (prev) {
                if (strcmp(prev->path, arg) != 0 && !same_file(prev->path, arg))
                    rc = mkpv_error("%s: module name '%s' already used by %s", arg, name,
                                    prev->path);
                free(name);
                continue;
            }
            struct mkpv_mod *m = mkpv_mod_load(arg, name);
            free(name);
            if (!m || add_module(l, m) < 0) {
                mkpv_mod_free(m);
                rc = -1;
                break;
            }
            rc = include_module(m, "requested");
        } else {
            struct mkpv_mod *m = moddir_module(l, arg);
            rc = m ? include_module(m, n == nall && all ? NULL : "requested") : -1;
        }
    }
    mkpv_free_names(all, nall);
    if (rc < 0)
        return -1;
    struct mkpv_mod *k = moddir_module(l, "kernel");
    if (!k)
        return -1;
    return include_module(k, "always included");
}

/* Load every module of moddir and record, per symbol, the module defining
 * it (first strong definition by module name, else first weak/common). */
static int index_moddir(struct mkpv_link *l)
{
    char **names;
    size_t n;
    l->moddir_indexed = true;
    if (mkpv_moddir_scan(l->moddir, &names, &n) < 0) {
        mkpv_verbose(1, "cannot index modules: %s", mkpv_errmsg());
        mkpv_error_clear();
        return 0;
    }
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        struct mkpv_mod *m = mkpv_map_get(&l->modmap, names[i]);
        if (m && !m->from_moddir)
            continue;   /* a module given by path shadows moddir's copy */
        if (!m && !(m = moddir_module(l, names[i]))) {
            rc = -1;
            break;
        }
        for (size_t j = 1; j < m->nsym; j++) {
            struct mkpv_sym *s = &m->sym[j];
            if (s->bind == STB_LOCAL || s->shndx == SHN_UNDEF || !*s->name)
                continue;
            struct mkpv_mod *p = mkpv_map_get(&l->provider, s->name);
            bool strong = s->bind != STB_WEAK && s->shndx != MKPV_SHN_COMMON;
            if (p && !strong)
                continue;
            if (p) {
                /* replace a weak/common provider by a strong one */
                bool p_strong = false;
                for (size_t k = 1; k < p->nsym && !p_strong; k++)
                    p_strong = p->sym[k].bind != STB_LOCAL && p->sym[k].bind != STB_WEAK &&
                               p->sym[k].shndx != SHN_UNDEF && p->sym[k].shndx != MKPV_SHN_COMMON &&
                               strcmp(p->sym[k].name, s->name) == 0;
                if (p_strong)
                    continue;
            }
            if (mkpv_map_put(&l->provider, s->name, m) < 0) {
                rc = -1;
                break;
            }
        }
        if (rc < 0)
            break;
    }
    mkpv_free_names(names, n);
    return rc;
}

static bool defines(const struct mkpv_sym *s)
{
    return s->bind != STB_LOCAL && s->shndx != SHN_UNDEF;
}

/* Step 2: pull in modules until no strong undefined reference can be
 * satisfied by another moddir module. */
static int pull_dependencies(struct mkpv_link *l)
{
    for (unsigned round = 0; round < 100000; round++) {
        struct mkpv_map defined = {0};
        bool changed = false;
        int rc = 0;
        for (size_t i = 0; i < l->nmods && rc == 0; i++) {
            struct mkpv_mod *m = l->mods[i];
            if (!m->included)
                continue;
            for (size_t j = 1; j < m->nsym && rc == 0; j++)
                if (defines(&m->sym[j]) && !mkpv_map_get(&defined, m->sym[j].name))
                    rc = mkpv_map_put(&defined, m->sym[j].name, m);
        }
        size_t ninc = l->nmods;   /* modules indexed in this round are seen next round */
        for (size_t i = 0; i < ninc && rc == 0; i++) {
            struct mkpv_mod *m = l->mods[i];
            if (!m->included)
                continue;
            for (size_t j = 1; j < m->nsym && rc == 0; j++) {
                struct mkpv_sym *s = &m->sym[j];
                if (s->shndx != SHN_UNDEF || s->bind != STB_GLOBAL || !*s->name ||
                    mkpv_map_get(&defined, s->name) ||
                    strcmp(s->name, PVBOOT_IMAGE_INFO_SYMBOL) == 0 ||
                    strcmp(s->name, MKPV_GOT_SYMBOL) == 0)
                    continue;
                if (!l->moddir_indexed && (rc = index_moddir(l)) < 0)
                    break;
                struct mkpv_mod *p = mkpv_map_get(&l->provider, s->name);
                if (p && !p->included) {
                    char why[512];
                    snprintf(why, sizeof(why), "needed by %s for '%s'", m->name, s->name);
                    rc = include_module(p, why);
                    changed = true;
                }
            }
        }
        mkpv_map_free(&defined);
        if (rc < 0)
            return -1;
        if (!changed)
            return 0;
    }
    return mkpv_error("dependency resolution did not converge");
}

static int cmp_mod_canon(const void *a, const void *b)
{
    const struct mkpv_mod *x = *(struct mkpv_mod *const *)a, *y = *(struct mkpv_mod *const *)b;
    bool kx = strcmp(x->name, "kernel") == 0, ky = strcmp(y->name, "kernel") == 0;
    if (kx != ky)
        return kx ? -1 : 1;
    return strcmp(x->name, y->name);
}

static int make_canonical(struct mkpv_link *l)
{
    size_t n = 0;
    for (size_t i = 0; i < l->nmods; i++)
        n += l->mods[i]->included;
    l->canon = reallocarray(NULL, n, sizeof(*l->canon));
    l->order = reallocarray(NULL, n, sizeof(*l->order));
    if (!l->canon || !l->order)
        return mkpv_error("out of memory");
    n = 0;
    for (size_t i = 0; i < l->nmods; i++)
        if (l->mods[i]->included)
            l->canon[n++] = l->mods[i];
    qsort(l->canon, n, sizeof(*l->canon), cmp_mod_canon);
    l->norder = n;
    return 0;
}

/* ---------------------------------------------------------------- COMDAT */

static int handle_groups(struct mkpv_link *l)
{
    for (size_t i = 0; i < l->norder; i++) {
        struct mkpv_mod *m = l->canon[i];
        for (size_t j = 1; j < m->nsec; j++) {
            struct mkpv_sec *g = &m->sec[j];
            if (g->type != SHT_GROUP)
                continue;
            if (g->size < 4 || g->size % 4)
                return mkpv_error("%s: group section %s: bad size %llu", m->path, g->name,
                                  (unsigned long long)g->size);
            const uint8_t *p = m->buf + g->offset;
            uint32_t flags;
            memcpy(&flags, p, 4);
            if (!(flags & GRP_COMDAT))
                continue;
            if (g->link != m->symtab || g->info == 0 || g->info >= m->nsym)
                return mkpv_error("%s: group section %s: bad signature symbol", m->path, g->name);
            const char *sig = m->sym[g->info].name;
            struct mkpv_mod *keeper = mkpv_map_get(&l->comdat, sig);
            if (!keeper) {
                if (mkpv_map_put(&l->comdat, sig, m) < 0)
                    return -1;
                continue;
            }
            if (keeper == m)
                return mkpv_error("%s: COMDAT group '%s' appears twice", m->path, sig);
            for (size_t k = 1; k < g->size / 4; k++) {
                uint32_t idx;
                memcpy(&idx, p + 4 * k, 4);
                if (idx == 0 || idx >= m->nsec)
                    return mkpv_error("%s: group section %s: bad member index %u", m->path,
                                      g->name, idx);
                m->sec[idx].discarded = true;
                m->sec[idx].kind = MKPV_DROP;
            }
            mkpv_verbose(2, "%s: COMDAT group '%s' discarded (kept from %s)", m->name, sig,
                         keeper->name);
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- symbols */

static struct mkpv_gsym *gsym_get(struct mkpv_link *l, const char *name)
{
    struct mkpv_gsym *g = mkpv_map_get(&l->gsyms, name);
    if (g)
        return g;
    g = calloc(1, sizeof(*g));
    if (!g) {
        mkpv_error("out of memory");
        return NULL;
    }
    g->name = name;
    g->got = -1;
    if (l->nglist == l->capglist) {
        size_t ncap = l->capglist ? l->capglist * 2 : 1024;
        struct mkpv_gsym **ng = reallocarray(l->glist, ncap, sizeof(*ng));
        if (!ng) {
            free(g);
            mkpv_error("out of memory");
            return NULL;
        }
        l->glist = ng;
        l->capglist = ncap;
    }
    l->glist[l->nglist++] = g;
    if (mkpv_map_put(&l->gsyms, name, g) < 0)
        return NULL;
    return g;
}

static enum mkpv_strength sym_strength(const struct mkpv_mod *m, const struct mkpv_sym *s)
{
    if (s->shndx == SHN_UNDEF)
        return MKPV_UNDEF;
    if (s->shndx < m->nsec && s->shndx != MKPV_SHN_ABS && m->sec[s->shndx].discarded)
        return MKPV_UNDEF;   /* its COMDAT copy lives in another module */
    if (s->shndx == MKPV_SHN_COMMON)
        return MKPV_COMMON;
    if (s->bind == STB_WEAK)
        return MKPV_WEAK;
    return MKPV_STRONG;
}

static int resolve_symbols(struct mkpv_link *l)
{
    l->info_sym = gsym_get(l, PVBOOT_IMAGE_INFO_SYMBOL);
    if (!l->info_sym)
        return -1;
    l->info_sym->linker_defined = true;
    l->info_sym->strength = MKPV_STRONG;
    l->got_sym = gsym_get(l, MKPV_GOT_SYMBOL);
    if (!l->got_sym)
        return -1;
    l->got_sym->linker_defined = true;
    l->got_sym->strength = MKPV_STRONG;
    for (size_t i = 0; i < l->norder; i++) {
        struct mkpv_mod *m = l->canon[i];
        for (size_t j = 1; j < m->nsym; j++) {
            struct mkpv_sym *s = &m->sym[j];
            if (s->bind == STB_LOCAL)
                continue;
            if (!*s->name)
                return mkpv_error("%s: global symbol %zu has no name", m->path, j);
            struct mkpv_gsym *g = gsym_get(l, s->name);
            if (!g)
                return -1;
            s->g = g;
            enum mkpv_strength st = sym_strength(m, s);
            if (st == MKPV_UNDEF) {
                if (s->bind == STB_GLOBAL && !g->ref)
                    g->ref = m;
                continue;
            }
            if (g->linker_defined)
                return mkpv_error("symbol '%s' is defined in module '%s', but the linker "
                                  "provides it", s->name, m->name);
            if (st == MKPV_STRONG && g->strength == MKPV_STRONG)
                return mkpv_error("duplicate symbol '%s': defined in module '%s' (%s) and "
                                  "module '%s' (%s)", s->name, g->def->name, g->def->path,
                                  m->name, m->path);
            if (st == MKPV_COMMON && g->strength == MKPV_COMMON) {
                if (s->size > g->common_size)
                    g->common_size = s->size;
                if (s->value > g->common_align)
                    g->common_align = s->value;
                continue;
            }
            if (st > g->strength) {
                g->strength = st;
                g->def = m;
                g->defsym = j;
                if (st == MKPV_COMMON) {
                    g->common_size = s->size;
                    g->common_align = s->value;
                }
            }
        }
    }
    /* strong references nothing defines (reported: the first by name) */
    size_t nundef = 0;
    struct mkpv_gsym *first = NULL;
    for (size_t i = 0; i < l->nglist; i++) {
        struct mkpv_gsym *g = l->glist[i];
        if (g->strength == MKPV_UNDEF && g->ref) {
            if (!first || strcmp(g->name, first->name) < 0)
                first = g;
            nundef++;
        }
    }
    if (first) {
        char more[64] = "";
        if (nundef > 1)
            snprintf(more, sizeof(more), " (and %zu more undefined symbols)", nundef - 1);
        return mkpv_error("undefined symbol '%s' referenced by module '%s' (%s)%s", first->name,
                          first->ref->name, first->ref->path, more);
    }
    struct mkpv_gsym *start = mkpv_map_get(&l->gsyms, "_start");
    if (!start || start->strength == MKPV_UNDEF)
        return mkpv_error("undefined symbol '_start' (the image entry point, defined by "
                          "module 'kernel')");
    if (start->strength == MKPV_COMMON || start->def->sym[start->defsym].shndx == MKPV_SHN_ABS ||
        start->def->sec[start->def->sym[start->defsym].shndx].kind != MKPV_TEXT)
        return mkpv_error("symbol '_start' in module '%s' is not code", start->def->name);
    struct mkpv_gsym *pvh = mkpv_map_get(&l->gsyms, "_start_pvh");
    if (!pvh || pvh->strength == MKPV_UNDEF)
        return mkpv_error("undefined symbol '_start_pvh' (the 32-bit PVH entry point, defined by "
                          "module 'kernel')");
    if (pvh->strength == MKPV_COMMON || pvh->def->sym[pvh->defsym].shndx == MKPV_SHN_ABS ||
        pvh->def->sec[pvh->def->sym[pvh->defsym].shndx].kind != MKPV_TEXT)
        return mkpv_error("symbol '_start_pvh' in module '%s' is not code", pvh->def->name);
    return 0;
}

/* ---------------------------------------------------------------- order */

static int add_dep(struct mkpv_mod *m, size_t dep)
{
    for (size_t i = 0; i < m->ndeps; i++)
        if (m->deps[i] == dep)
            return 0;
    size_t *nd = reallocarray(m->deps, m->ndeps + 1, sizeof(*nd));
    if (!nd)
        return mkpv_error("out of memory");
    m->deps = nd;
    m->deps[m->ndeps++] = dep;
    return 0;
}

static int order_modules(struct mkpv_link *l)
{
    /* canonical index per module, to express edges */
    for (size_t i = 0; i < l->norder; i++)
        l->canon[i]->order = i;
    for (size_t i = 0; i < l->norder; i++) {
        struct mkpv_mod *m = l->canon[i];
        for (size_t j = 1; j < m->nsym; j++) {
            struct mkpv_gsym *g = m->sym[j].g;
            if (g && g->def && g->def != m && add_dep(m, g->def->order) < 0)
                return -1;
        }
    }
    /* reach[i * n + j]: j is reachable from i along dependency edges */
    size_t n = l->norder;
    bool *reach = calloc(n ? n * n : 1, sizeof(*reach));
    bool *placed = calloc(n ? n : 1, sizeof(*placed));
    size_t *stack = reallocarray(NULL, n ? n : 1, sizeof(*stack));
    if (!reach || !placed || !stack) {
        free(reach);
        free(placed);
        free(stack);
        return mkpv_error("out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        size_t sp = 0;
        stack[sp++] = i;
        while (sp) {   /* each node is pushed at most once per source: bounded by n */
            struct mkpv_mod *m = l->canon[stack[--sp]];
            for (size_t d = 0; d < m->ndeps; d++) {
                size_t j = m->deps[d];
                if (!reach[i * n + j]) {
                    reach[i * n + j] = true;
                    stack[sp++] = j;
                }
            }
        }
    }
    /* canon[0] is kernel: always first.  Then repeatedly the first module by
     * name whose dependencies are placed or in its own dependency cycle. */
    size_t k = 0;
    placed[0] = true;
    l->order[k++] = l->canon[0];
    while (k < n) {
        size_t pick = SIZE_MAX;
        for (size_t i = 0; i < n && pick == SIZE_MAX; i++) {
            if (placed[i])
                continue;
            bool ready = true;
            for (size_t d = 0; d < l->canon[i]->ndeps && ready; d++) {
                size_t j = l->canon[i]->deps[d];
                ready = placed[j] || (reach[i * n + j] && reach[j * n + i]);
            }
            if (ready)
                pick = i;
        }
        if (pick == SIZE_MAX)   /* cannot happen: some cycle is always ready */
            for (size_t i = 0; i < n && pick == SIZE_MAX; i++)
                if (!placed[i])
                    pick = i;
        for (size_t d = 0; d < l->canon[pick]->ndeps; d++)
            if (!placed[l->canon[pick]->deps[d]])
                mkpv_verbose(1, "dependency cycle: %s placed before %s", l->canon[pick]->name,
                             l->canon[l->canon[pick]->deps[d]]->name);
        placed[pick] = true;
        l->order[k++] = l->canon[pick];
    }
    free(reach);
    free(placed);
    free(stack);
    for (size_t i = 0; i < l->norder; i++)
        l->order[i]->order = i;
    return 0;
}

/* ---------------------------------------------------------------- GOT */

static Elf_Data *rela_data(struct mkpv_mod *m, size_t secidx, size_t *count)
{
    struct mkpv_sec *r = &m->sec[secidx];
    if (r->link != m->symtab || m->symtab == 0) {
        mkpv_error("%s: relocation section %s does not use the symbol table", m->path, r->name);
        return NULL;
    }
    if (r->size % sizeof(Elf64_Rela)) {
        mkpv_error("%s: relocation section %s: size %llu is not a multiple of %zu", m->path,
                   r->name, (unsigned long long)r->size, sizeof(Elf64_Rela));
        return NULL;
    }
    Elf_Data *d = elf_getdata(elf_getscn(m->elf, secidx), NULL);
    if (!d) {
        mkpv_error("%s: cannot read relocation section %s: %s", m->path, r->name, elf_errmsg(-1));
        return NULL;
    }
    *count = r->size / sizeof(Elf64_Rela);
    return d;
}

/* Is the symbol a defined, non-absolute address (so PC-relative reach holds)? */
static bool sym_defined_address(const struct mkpv_mod *m, size_t idx)
{
    const struct mkpv_sym *s = &m->sym[idx];
    if (idx == 0)
        return false;
    if (s->g) {
        const struct mkpv_gsym *g = s->g;
        if (g->linker_defined)
            return true;
        if (g->strength == MKPV_UNDEF)
            return false;
        if (g->strength == MKPV_COMMON)
            return true;
        return g->def->sym[g->defsym].shndx != MKPV_SHN_ABS;
    }
    return s->shndx != SHN_UNDEF && s->shndx != MKPV_SHN_ABS && s->shndx != MKPV_SHN_COMMON;
}

/*
 * GOT-load relaxations allowed by the x86-64 psABI (B.2 "Optimize GOTPCRELX
 * Relocations") when the symbol is a defined address:
 *   mov foo@GOTPCREL(%rip), %reg  (8b /r, modrm 00 reg 101) -> lea foo(%rip), %reg
 *   call *foo@GOTPCREL(%rip)      (ff 15)                    -> addr32 call foo (67 e8)
 *   jmp *foo@GOTPCREL(%rip)       (ff 25)                    -> jmp foo; nop   (e9 .. 90)
 * (call/jmp only with the plain GOTPCRELX type and the usual addend -4.)
 */
enum relax { RELAX_NONE, RELAX_MOV, RELAX_CALL, RELAX_JMP };

static enum relax can_relax(const struct mkpv_mod *m, const struct mkpv_sec *t,
                            const GElf_Rela *r)
{
    uint32_t type = GELF_R_TYPE(r->r_info);
    if (type != R_X86_64_GOTPCRELX && type != R_X86_64_REX_GOTPCRELX)
        return RELAX_NONE;
    if (r->r_offset < 2 || r->r_offset > t->size || t->size - r->r_offset < 4 ||
        t->type == SHT_NOBITS)
        return RELAX_NONE;
    if (GELF_R_SYM(r->r_info) >= m->nsym || !sym_defined_address(m, GELF_R_SYM(r->r_info)))
        return RELAX_NONE;
    const uint8_t *p = m->buf + t->offset + r->r_offset;
    if (p[-2] == 0x8b && (p[-1] & 0xc7) == 0x05)
        return RELAX_MOV;
    if (type == R_X86_64_GOTPCRELX && p[-2] == 0xff && r->r_addend == -4) {
        if (p[-1] == 0x15)
            return RELAX_CALL;
        if (p[-1] == 0x25)
            return RELAX_JMP;
    }
    return RELAX_NONE;
}

static int got_slot(struct mkpv_link *l, struct mkpv_mod *m, size_t idx)
{
    struct mkpv_sym *s = &m->sym[idx];
    int64_t *slot = s->g ? &s->g->got : &s->got;
    if (*slot >= 0)
        return 0;
    if (l->ngot == l->capgot) {
        size_t ncap = l->capgot ? l->capgot * 2 : 64;
        struct mkpv_got_slot *ng = reallocarray(l->got, ncap, sizeof(*ng));
        if (!ng)
            return mkpv_error("out of memory");
        l->got = ng;
        l->capgot = ncap;
    }
    l->got[l->ngot] = (struct mkpv_got_slot){ .g = s->g, .m = m, .sym = idx };
    *slot = (int64_t)l->ngot++;
    return 0;
}

static int plan_got(struct mkpv_link *l)
{
    for (size_t i = 0; i < l->norder; i++) {
        struct mkpv_mod *m = l->order[i];
        for (size_t j = 1; j < m->nsec; j++) {
            if (m->sec[j].type != SHT_RELA || m->sec[m->sec[j].info].kind == MKPV_DROP)
                continue;
            struct mkpv_sec *t = &m->sec[m->sec[j].info];
            size_t n;
            Elf_Data *d = rela_data(m, j, &n);
            if (!d)
                return -1;
            for (size_t k = 0; k < n; k++) {
                GElf_Rela r;
                if (!gelf_getrela(d, (int)k, &r))
                    return mkpv_error("%s: %s: bad relocation %zu", m->path, m->sec[j].name, k);
                uint32_t type = GELF_R_TYPE(r.r_info);
                size_t sym = GELF_R_SYM(r.r_info);
                if (type != R_X86_64_GOTPCREL && type != R_X86_64_GOTPCRELX &&
                    type != R_X86_64_REX_GOTPCRELX)
                    continue;
                if (sym == 0 || sym >= m->nsym)
                    return mkpv_error("%s: section %s offset 0x%llx: GOT relocation with bad "
                                      "symbol index %zu", m->path, t->name,
                                      (unsigned long long)r.r_offset, sym);
                if (can_relax(m, t, &r) != RELAX_NONE) {
                    l->nrelaxed++;
                    continue;
                }
                if (got_slot(l, m, sym) < 0)
                    return -1;
            }
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- layout */

static int layout(struct mkpv_link *l)
{
    uint64_t a = PVBOOT_LINK_BASE;
    static const enum mkpv_kind file_kinds[] = { MKPV_TEXT, MKPV_RODATA, MKPV_DATA };
    for (int seg = 0; seg < MKPV_NSEGS; seg++) {
        a = align_up(a, MKPV_PAGE);
        l->seg_start[seg] = a;
        for (size_t i = 0; i < l->norder; i++) {
            struct mkpv_mod *m = l->order[i];
            for (size_t j = 1; j < m->nsec; j++) {
                struct mkpv_sec *s = &m->sec[j];
                if (s->kind != file_kinds[seg])
                    continue;
                a = align_up(a, s->align);
                s->addr = a;
                if (a > 0x80000000ull || s->size > 0x80000000ull - a)
                    return mkpv_error("%s: section %s (size 0x%llx) makes the image larger "
                                      "than 2 GiB", m->path, s->name,
                                      (unsigned long long)s->size);
                a += s->size;
            }
        }
        if (seg == MKPV_SEG_RODATA) {
            /* the linker's own read-only data */
            a = align_up(a, 64);
            l->info_addr = a;
            a += sizeof(struct pvboot_image_info);
            a = align_up(a, 8);
            l->modtab_addr = a;
            a += l->norder * sizeof(struct pvboot_module_entry);
            a = align_up(a, 8);
            l->got_addr = a;
            a += l->ngot * 8;
            l->strings_addr = a;
            l->modname_addr = reallocarray(NULL, l->norder ? l->norder : 1, sizeof(uint64_t));
            if (!l->modname_addr)
                return mkpv_error("out of memory");
            for (size_t i = 0; i < l->norder; i++) {
                l->modname_addr[i] = a;
                a += strlen(l->order[i]->name) + 1;
            }
            l->version_addr = a;
            a += strlen(PVBOOT_VERSION) + 1;
            l->prefix_addr = 0;
            if (l->prefix) {
                l->prefix_addr = a;
                a += strlen(l->prefix) + 1;
            }
            l->config_addr = a;
            a += l->config_len + 1;
            l->pubkeys_addr = 0;
            if (l->pubkeys_len) {
                a = align_up(a, 8);
                l->pubkeys_addr = a;
                a += l->pubkeys_len;
            }
            l->strings_size = a - l->strings_addr;
            l->memdisk_addr = 0;
            if (l->memdisk) {
                a = align_up(a, MKPV_PAGE);
                l->memdisk_addr = a;
                a += l->memdisk_len;
            }
            if (a > 0x80000000ull)
                return mkpv_error("image too large: over 2 GiB with the embedded data");
        }
        l->seg_end[seg] = a;
    }
    /* bss: NOBITS sections, then commons */
    for (size_t i = 0; i < l->norder; i++) {
        struct mkpv_mod *m = l->order[i];
        for (size_t j = 1; j < m->nsec; j++) {
            struct mkpv_sec *s = &m->sec[j];
            if (s->kind != MKPV_BSS)
                continue;
            a = align_up(a, s->align);
            s->addr = a;
            if (a > 0x80000000ull || s->size > 0x80000000ull - a)
                return mkpv_error("%s: section %s (size 0x%llx) makes the image larger "
                                  "than 2 GiB", m->path, s->name, (unsigned long long)s->size);
            a += s->size;
        }
    }
    for (size_t i = 0; i < l->nglist; i++) {
        struct mkpv_gsym *g = l->glist[i];
        if (g->strength != MKPV_COMMON)
            continue;
        a = align_up(a, g->common_align);
        g->addr = a;
        if (a > 0x80000000ull || g->common_size > 0x80000000ull - a)
            return mkpv_error("%s: common symbol '%s' (size 0x%llx) makes the image larger "
                              "than 2 GiB", g->def->path, g->name,
                              (unsigned long long)g->common_size);
        a += g->common_size;
    }
    l->bss_end = a;
    l->image_end = align_up(a, MKPV_PAGE);
    if (l->seg_end[MKPV_SEG_TEXT] == l->seg_start[MKPV_SEG_TEXT])
        return mkpv_error("no code: the modules have no executable sections");
    /* global symbol addresses */
    l->info_sym->addr = l->info_addr;
    l->got_sym->addr = l->got_addr;
    for (size_t i = 0; i < l->nglist; i++) {
        struct mkpv_gsym *g = l->glist[i];
        if (g->strength == MKPV_UNDEF || g->strength == MKPV_COMMON || g->linker_defined)
            continue;
        const struct mkpv_sym *s = &g->def->sym[g->defsym];
        if (s->shndx == MKPV_SHN_ABS)
            g->addr = s->value;
        else
            g->addr = g->def->sec[s->shndx].addr + s->value;
    }
    struct mkpv_gsym *start = mkpv_map_get(&l->gsyms, "_start");
    l->entry = start->addr;
    l->pvh_entry = ((struct mkpv_gsym *)mkpv_map_get(&l->gsyms, "_start_pvh"))->addr;
    /* init/fini functions */
    for (size_t i = 0; i < l->norder; i++) {
        struct mkpv_mod *m = l->order[i];
        static const char *const pfx[2] = { PVBOOT_INIT_PREFIX, PVBOOT_FINI_PREFIX };
        for (int f = 0; f < 2; f++) {
            char name[512];
            snprintf(name, sizeof(name), "%s%s", pfx[f], m->name);
            struct mkpv_gsym *g = mkpv_map_get(&l->gsyms, name);
            uint64_t va = 0;
            if (g && g->def == m && g->strength != MKPV_COMMON) {
                const struct mkpv_sym *s = &m->sym[g->defsym];
                if (s->shndx == MKPV_SHN_ABS || m->sec[s->shndx].kind != MKPV_TEXT)
                    return mkpv_error("%s: symbol '%s' is not code", m->path, name);
                va = g->addr;
            }
            if (f == 0)
                m->init = va;
            else
                m->fini = va;
        }
    }
    mkpv_verbose(1, "layout: text 0x%llx-0x%llx, rodata 0x%llx-0x%llx, data 0x%llx-0x%llx, "
                 "bss to 0x%llx, entry 0x%llx, %zu GOT slots, %zu relaxed",
                 (unsigned long long)l->seg_start[0], (unsigned long long)l->seg_end[0],
                 (unsigned long long)l->seg_start[1], (unsigned long long)l->seg_end[1],
                 (unsigned long long)l->seg_start[2], (unsigned long long)l->seg_end[2],
                 (unsigned long long)l->bss_end, (unsigned long long)l->entry, l->ngot,
                 l->nrelaxed);
    return 0;
}

/* ---------------------------------------------------------------- relocation */

/* S: the address a symbol reference resolves to. */
static int sym_value(struct mkpv_mod *m, size_t idx, const struct mkpv_sec *t, uint64_t off,
                     uint64_t *out)
{
    const struct mkpv_sym *s = &m->sym[idx];
    *out = 0;
    if (idx == 0)
        return 0;
    if (s->g) {
        /* global: whatever definition won (weak undefined: 0) */
        *out = s->g->addr;
        return 0;
    }
    if (s->shndx == MKPV_SHN_ABS) {
        *out = s->value;
        return 0;
    }
    if (s->shndx == SHN_UNDEF || s->shndx == MKPV_SHN_COMMON)
        return mkpv_error("%s: section %s offset 0x%llx: relocation against local symbol '%s' "
                          "without a section", m->path, t->name, (unsigned long long)off, s->name);
    const struct mkpv_sec *d = &m->sec[s->shndx];
    if (d->kind == MKPV_DROP)
        return mkpv_error("%s: section %s offset 0x%llx: relocation against '%s' in section %s, "
                          "which is not loaded%s", m->path, t->name, (unsigned long long)off,
                          *s->name ? s->name : d->name, d->name,
                          d->discarded ? " (discarded COMDAT copy)" : "");
    *out = d->addr + s->value;
    return 0;
}

static int reloc_width(uint32_t type)
{
    switch (type) {
    case R_X86_64_64: case R_X86_64_PC64:
        return 8;
    case R_X86_64_PC32: case R_X86_64_PLT32: case R_X86_64_32: case R_X86_64_32S:
    case R_X86_64_GOTPCREL: case R_X86_64_GOTPCRELX: case R_X86_64_REX_GOTPCRELX:
        return 4;
    case R_X86_64_NONE:
        return 0;
    default:
        return -1;
    }
}

static int relocate_section(struct mkpv_link *l, struct mkpv_mod *m, size_t relidx)
{
    struct mkpv_sec *rs = &m->sec[relidx];
    struct mkpv_sec *t = &m->sec[rs->info];
    if (t->kind == MKPV_DROP)
        return 0;
    size_t n;
    Elf_Data *d = rela_data(m, relidx, &n);
    if (!d)
        return -1;
    if (t->kind == MKPV_BSS && n)
        return mkpv_error("%s: relocations %s apply to zero-filled section %s", m->path,
                          rs->name, t->name);
    for (size_t k = 0; k < n; k++) {
        GElf_Rela r;
        if (!gelf_getrela(d, (int)k, &r))
            return mkpv_error("%s: %s: bad relocation %zu", m->path, rs->name, k);
        uint32_t type = GELF_R_TYPE(r.r_info);
        size_t sym = GELF_R_SYM(r.r_info);
        const char *tname = mkpv_reloc_name(type);
        int w = reloc_width(type);
        if (w < 0)
            return mkpv_error("%s: section %s offset 0x%llx: unsupported relocation type %u "
                              "(%s)", m->path, t->name, (unsigned long long)r.r_offset, type,
                              tname ? tname : "unknown");
        if (sym >= m->nsym)
            return mkpv_error("%s: section %s offset 0x%llx: %s with bad symbol index %zu",
                              m->path, t->name, (unsigned long long)r.r_offset, tname, sym);
        if (r.r_offset > t->size || t->size - r.r_offset < (uint64_t)w)
            return mkpv_error("%s: section %s offset 0x%llx: %s outside the section (size 0x%llx)",
                              m->path, t->name, (unsigned long long)r.r_offset, tname,
                              (unsigned long long)t->size);
        if (type == R_X86_64_NONE)
            continue;
        uint64_t S, A = (uint64_t)r.r_addend, P = t->addr + r.r_offset, v;
        if (sym_value(m, sym, t, r.r_offset, &S) < 0)
            return -1;
        uint8_t *loc = mkpv_image_ptr(l, P, (size_t)w);
        if (!loc)
            return mkpv_error("internal error: relocation target 0x%llx not in the image",
                              (unsigned long long)P);
        bool check_s32 = false, check_u32 = false;
        switch (type) {
        case R_X86_64_64:
            v = S + A;
            break;
        case R_X86_64_PC64:
            v = S + A - P;
            break;
        case R_X86_64_PC32:
        case R_X86_64_PLT32:   /* no PLT in a static image: direct */
            v = S + A - P;
            check_s32 = true;
            break;
        case R_X86_64_32:
            v = S + A;
            check_u32 = true;
            break;
        case R_X86_64_32S:
            v = S + A;
            check_s32 = true;
            break;
        default: { /* GOTPCREL, GOTPCRELX, REX_GOTPCRELX */
            enum relax rx = can_relax(m, t, &r);
            if (rx == RELAX_MOV) {
                loc[-2] = 0x8d;   /* mov -> lea */
                v = S + A - P;
            } else if (rx == RELAX_CALL) {
                loc[-2] = 0x67;   /* addr32 prefix */
                loc[-1] = 0xe8;   /* call rel32 */
                v = S + A - P;
            } else if (rx == RELAX_JMP) {
                /* e9 rel32 starts one byte earlier and ends at P + 3; then a nop */
                v = S - (P + 3);
                if ((int64_t)v != (int64_t)(int32_t)v)
                    return mkpv_error("%s: section %s offset 0x%llx: jmp to '%s' out of range",
                                      m->path, t->name, (unsigned long long)r.r_offset,
                                      m->sym[sym].name);
                uint32_t v32 = (uint32_t)v;
                loc[-2] = 0xe9;
                memcpy(loc - 1, &v32, 4);
                loc[3] = 0x90;
                continue;
            } else {
                int64_t slot = m->sym[sym].g ? m->sym[sym].g->got : m->sym[sym].got;
                if (slot < 0)
                    return mkpv_error("internal error: no GOT slot for '%s'", m->sym[sym].name);
                v = l->got_addr + (uint64_t)slot * 8 + A - P;
            }
            check_s32 = true;
            break;
        }
        }
        if ((check_s32 && (int64_t)v != (int64_t)(int32_t)v) ||
            (check_u32 && v > UINT32_MAX)) {
            const char *sn = sym ? m->sym[sym].name : "";
            if (!*sn && sym && m->sym[sym].shndx < m->nsec)
                sn = m->sec[m->sym[sym].shndx].name;
            return mkpv_error("%s: section %s offset 0x%llx: %s against '%s' out of range "
                              "(value 0x%llx)", m->path, t->name, (unsigned long long)r.r_offset,
                              tname, sn, (unsigned long long)v);
        }
        if (w == 8) {
            memcpy(loc, &v, 8);
        } else {
            uint32_t v32 = (uint32_t)v;
            memcpy(loc, &v32, 4);
        }
    }
    return 0;
}

static int relocate(struct mkpv_link *l)
{
    for (size_t i = 0; i < l->norder; i++) {
        struct mkpv_mod *m = l->order[i];
        for (size_t j = 1; j < m->nsec; j++)
            if (m->sec[j].type == SHT_RELA && relocate_section(l, m, j) < 0)
                return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- embedded data */

static int load_embedded(struct mkpv_link *l)
{
    const struct mkpv_options *o = &l->opt;
    const char *cname = o->config_path ? o->config_path : "(built-in default config)";
    if (o->config_path) {
        if (mkpv_read_file(o->config_path, "config", MKPV_MAX_CONFIG_SIZE, &l->config,
                           &l->config_len) < 0)
            return -1;
    } else if (o->config_text) {
        if (o->config_text_len > MKPV_MAX_CONFIG_SIZE)
            return mkpv_error("%s: larger than %u bytes", cname, MKPV_MAX_CONFIG_SIZE);
        l->config = malloc(o->config_text_len + 1);
        if (!l->config)
            return mkpv_error("out of memory");
        memcpy(l->config, o->config_text, o->config_text_len);
        l->config[o->config_text_len] = '\0';
        l->config_len = o->config_text_len;
    } else {
        return mkpv_error("no config: -c FILE is required");
    }
    const uint8_t *nul = memchr(l->config, '\0', l->config_len);
    if (nul)
        return mkpv_error("%s: config contains a NUL byte at offset %zu (not a text file?)",
                          cname, (size_t)(nul - l->config));
    if (mkpv_check_config(cname, (const char *)l->config, l->config_len) < 0)
        return -1;
    if (o->memdisk_path &&
        mkpv_read_file(o->memdisk_path, "memdisk", MKPV_MAX_MEMDISK_SIZE, &l->memdisk,
                       &l->memdisk_len) < 0)
        return -1;
    if (o->memdisk_path && l->memdisk_len == 0)
        return mkpv_error("%s: memdisk is empty", o->memdisk_path);
    l->prefix = o->prefix ? o->prefix : (o->memdisk_path ? MKPV_MEMDISK_PREFIX : NULL);
    l->pubkeys = o->pubkeys;
    l->pubkeys_len = o->pubkeys ? o->pubkeys_len : 0;
    if (l->prefix && strlen(l->prefix) > 4096)
        return mkpv_error("prefix is longer than 4096 bytes");
    return 0;
}

/* ---------------------------------------------------------------- map (-v -v -v) */

struct map_ent {
    uint64_t addr;
    const char *module, *name;
    bool local;
};

static int cmp_map(const void *a, const void *b)
{
    const struct map_ent *x = a, *y = b;
    if (x->addr != y->addr)
        return x->addr < y->addr ? -1 : 1;
    int c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->module, y->module);
}

/* Print every defined global symbol and every local function/object by
 * address: "VA MODULE NAME" (locals marked), for reading crash addresses. */
static void print_map(const struct mkpv_link *l)
{
    if (mkpv_get_verbose() < 3)
        return;
    size_t cap = l->nglist + 1, n = 0;
    for (size_t i = 0; i < l->norder; i++)
        cap += l->order[i]->nsym;
    struct map_ent *v = reallocarray(NULL, cap, sizeof(*v));
    if (!v)
        return;
    for (size_t i = 0; i < l->nglist; i++) {
        const struct mkpv_gsym *g = l->glist[i];
        if (g->strength != MKPV_UNDEF)
            v[n++] = (struct map_ent){ g->addr, g->def ? g->def->name : "(linker)", g->name, false };
    }
    for (size_t i = 0; i < l->norder; i++) {
        const struct mkpv_mod *m = l->order[i];
        for (size_t j = 1; j < m->nsym; j++) {
            const struct mkpv_sym *s = &m->sym[j];
            if (s->bind != STB_LOCAL || (s->type != STT_FUNC && s->type != STT_OBJECT) ||
                !*s->name || s->shndx == SHN_UNDEF || s->shndx >= m->nsec ||
                m->sec[s->shndx].kind == MKPV_DROP)
                continue;
            v[n++] = (struct map_ent){ m->sec[s->shndx].addr + s->value, m->name, s->name, true };
        }
    }
    qsort(v, n, sizeof(*v), cmp_map);
    for (size_t i = 0; i < n; i++)
        mkpv_verbose(3, "map: %016llx %-12s %s%s", (unsigned long long)v[i].addr, v[i].module,
                     v[i].name, v[i].local ? " (local)" : "");
    free(v);
}

/* ---------------------------------------------------------------- API */

struct mkpv_link *mkpv_link(const struct mkpv_options *o)
{
    struct mkpv_link *l = calloc(1, sizeof(*l));
    if (!l) {
        mkpv_error("out of memory");
        return NULL;
    }
    l->opt = *o;
    l->moddir = o->moddir ? o->moddir : mkpv_default_moddir();
    if (!o->format || (strcmp(o->format, MKPV_FORMAT) != 0 &&
                       strcmp(o->format, MKPV_FORMAT_PVH) != 0)) {
        mkpv_error("unknown format '%s' after -O (supported: %s, %s)", o->format ? o->format : "",
                   MKPV_FORMAT, MKPV_FORMAT_PVH);
        goto fail;
    }
    if (elf_version(EV_CURRENT) == EV_NONE) {
        mkpv_error("libelf: %s", elf_errmsg(-1));
        goto fail;
    }
    if (load_embedded(l) < 0 || load_requested(l) < 0 || pull_dependencies(l) < 0 ||
        make_canonical(l) < 0 || handle_groups(l) < 0 || resolve_symbols(l) < 0 ||
        order_modules(l) < 0 || plan_got(l) < 0 || layout(l) < 0 || mkpv_image_alloc(l) < 0 ||
        relocate(l) < 0 || mkpv_image_finish(l) < 0)
        goto fail;
    for (size_t i = 0; i < l->norder; i++)
        mkpv_verbose(1, "module table %zu: %s%s%s", i, l->order[i]->name,
                     l->order[i]->init ? " init" : "", l->order[i]->fini ? " fini" : "");
    print_map(l);
    return l;
fail:
    mkpv_link_free(l);
    return NULL;
}

const uint8_t *mkpv_link_image(const struct mkpv_link *l, size_t *len)
{
    *len = l->image_len;
    return l->image;
}

uint64_t mkpv_link_entry(const struct mkpv_link *l)
{
    return l->entry;
}

uint64_t mkpv_link_pvh_entry(const struct mkpv_link *l)
{
    return l->pvh_entry;
}

int mkpv_link_symbol(const struct mkpv_link *l, const char *name, uint64_t *va)
{
    struct mkpv_gsym *g = mkpv_map_get(&l->gsyms, name);
    if (!g || g->strength == MKPV_UNDEF)
        return -1;
    *va = g->addr;
    return 0;
}

size_t mkpv_link_nr_modules(const struct mkpv_link *l)
{
    return l->norder;
}

const char *mkpv_link_module_name(const struct mkpv_link *l, size_t i)
{
    return i < l->norder ? l->order[i]->name : NULL;
}

void mkpv_link_free(struct mkpv_link *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->nmods; i++)
        mkpv_mod_free(l->mods[i]);
    free(l->mods);
    for (size_t i = 0; i < l->nglist; i++)
        free(l->glist[i]);
    free(l->glist);
    mkpv_map_free(&l->modmap);
    mkpv_map_free(&l->provider);
    mkpv_map_free(&l->gsyms);
    mkpv_map_free(&l->comdat);
    free(l->canon);
    free(l->order);
    free(l->got);
    free(l->config);
    free(l->memdisk);
    free(l->modname_addr);
    free(l->image);
    free(l);
}

/* ---------------------------------------------------------------- list */

int mkpv_list_modules(const char *moddir, int verbose, FILE *out)
{
    if (!moddir)
        moddir = mkpv_default_moddir();
    if (!verbose) {
        char **names;
        size_t n;
        if (mkpv_moddir_scan(moddir, &names, &n) < 0)
            return -1;
        for (size_t i = 0; i < n; i++)
            fprintf(out, "%s\n", names[i]);
        mkpv_free_names(names, n);
        return 0;
    }
    struct mkpv_link *l = calloc(1, sizeof(*l));
    if (!l)
        return mkpv_error("out of memory");
    l->moddir = moddir;
    char **names;
    size_t n;
    int rc = mkpv_moddir_scan(moddir, &names, &n);
    if (rc == 0) {
        rc = index_moddir(l);
        for (size_t i = 0; i < n && rc == 0; i++) {
            struct mkpv_mod *m = mkpv_map_get(&l->modmap, names[i]);
            if (!m)
                continue;
            fprintf(out, "%-20s %9zu bytes  needs:", m->name, m->len);
            /* needed modules, each once, in symbol order */
            struct mkpv_map seen = {0};
            for (size_t j = 1; j < m->nsym; j++) {
                const struct mkpv_sym *s = &m->sym[j];
                if (s->shndx != SHN_UNDEF || s->bind != STB_GLOBAL || !*s->name ||
                    strcmp(s->name, PVBOOT_IMAGE_INFO_SYMBOL) == 0 ||
                    strcmp(s->name, MKPV_GOT_SYMBOL) == 0)
                    continue;
                struct mkpv_mod *p = mkpv_map_get(&l->provider, s->name);
                const char *pn = p ? p->name : "?";
                if (p == m || mkpv_map_get(&seen, pn))
                    continue;
                if (mkpv_map_put(&seen, pn, (void *)pn) < 0) {
                    rc = -1;
                    break;
                }
                fprintf(out, " %s", pn);
            }
            mkpv_map_free(&seen);
            fputc('\n', out);
        }
        mkpv_free_names(names, n);
    }
    mkpv_link_free(l);
    return rc;
}
