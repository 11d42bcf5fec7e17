/* SPDX-License-Identifier: MIT */
/*
 * mkpvimage — link pvboot's runtime modules and a config into a Xen PV image.
 * Command line in the spirit of grub-mkimage; see man/mkpvimage.1.
 *
 * Exit status: 0 success, 1 the image could not be built (message on
 * stderr), 2 command-line usage error.
 */
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvboot/err.h"
#include "pvboot/pgp.h"
#include "pvboot/script.h"
#include "pvboot/version.h"
#include "mkpv.h"

#include <unistd.h>

enum { OPT_NO_VERIFY = 256, OPT_LIST_MODULES, OPT_GRUB_MODULES };

/* embed/default.cfg, compiled in by src/CMakeLists.txt: the config without -c */
extern const char mkpv_default_cfg[];
extern const size_t mkpv_default_cfg_len;

static void usage(FILE *f)
{
    fprintf(f,
"Usage: mkpvimage -O x86_64-xen [-c FILE] [-o FILE] [OPTION...] [MODULE...]\n"
"Link pvboot's runtime modules and an embedded config into a Xen PV kernel image.\n"
"\n"
"  -O, --format=FORMAT        output format: x86_64-xen or i386-xen_pvh (the same\n"
"                             image, bootable as PV and as PVH)\n"
"  -c, --config=FILE          config embedded in the image [pvboot's default\n"
"                             config, which searches the guest's disks]\n"
"  -o, --output=FILE          image to write (atomically) [standard output]\n"
"  -d, --directory=DIR        module directory [%s]\n"
"  -p, --prefix=DIR           prefix directory recorded in the image\n"
"                             [none; (memdisk)/boot/grub with -m]\n"
"  -C, --compression=FORMAT   none, gzip (whole file), xz (bzImage container\n"
"                             with an xz payload) or auto (smallest) [none]\n"
"  -m, --memdisk=FILE         embed FILE as the disk (memdisk)\n"
"  -k, --pubkey=FILE          embed the OpenPGP public keys in FILE (binary,\n"
"                             as gpg exports them; repeatable): files must then be\n"
"                             signed by them (check_signatures=enforce, which\n"
"                             the guest's config cannot turn off); adds module pgp\n"
"  -v, --verbose              print what is linked (twice: more)\n"
"      --no-verify            skip the check with Xen's parser (libxenguest)\n"
"      --list-modules         list the modules in the module directory\n"
"      --grub-modules         list GRUB's module names and what they become\n"
"  -h, --help                 show this help\n"
"  -V, --version              show the version\n"
"\n"
"MODULE is a module name looked up in the module directory, a path to a\n"
".mod file, or a GRUB module name or GRUB .mod file (see --grub-modules);\n"
"without MODULE every module in the directory is linked.  The kernel module\n"
"and the modules providing needed symbols are always added.\n"
"Use the image in an xl config: kernel = \"/etc/xen/pvboot.bin\"\n",
            mkpv_default_moddir());
}

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("mkpvimage: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs(" (try 'mkpvimage --help')\n", stderr);
    return 2;
}

/* -c FILE is checked by the runtime's own GRUB script parser (module
 * `script`, hosted build): the same code that will run it in the guest;
 * nothing of the menu (module `normal`) is linked for it
 * (tests/host/module_layers.sh). */
static int check_config(const char *path, const char *text, size_t len, char *msg, size_t msglen)
{
    if (pb_script_check(text, len, path) == 0)
        return 0;
    snprintf(msg, msglen, "%s", pb_errmsg());
    pb_error_clear();
    return 1;
}

/* -k FILE: read, check with the runtime's own OpenPGP parser (module pgp,
 * hosted build) and append to the embedded key bytes. */
static int add_pubkey(const char *path, uint8_t **keys, size_t *len)
{
    uint8_t *b;
    size_t n;
    if (mkpv_read_file(path, "public key", PB_PGP_MAX_FILE, &b, &n) < 0) {
        fprintf(stderr, "mkpvimage: %s\n", mkpv_errmsg());
        return -1;
    }
    struct pb_pgp_key *k;
    if (pb_pgp_parse_keys(b, n, path, &k) < 0) {
        fprintf(stderr, "mkpvimage: %s\n", pb_errmsg());
        pb_error_clear();
        free(b);
        return -1;
    }
    pb_pgp_free_keys(k);
    uint8_t *all = realloc(*keys, *len + n);
    if (!all) {
        free(b);
        fprintf(stderr, "mkpvimage: out of memory\n");
        return -1;
    }
    memcpy(all + *len, b, n);
    *keys = all;
    *len += n;
    free(b);
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "format", required_argument, NULL, 'O' },
        { "config", required_argument, NULL, 'c' },
        { "output", required_argument, NULL, 'o' },
        { "directory", required_argument, NULL, 'd' },
        { "prefix", required_argument, NULL, 'p' },
        { "compression", required_argument, NULL, 'C' },
        { "memdisk", required_argument, NULL, 'm' },
        { "pubkey", required_argument, NULL, 'k' },
        { "verbose", no_argument, NULL, 'v' },
        { "no-verify", no_argument, NULL, OPT_NO_VERIFY },
        { "list-modules", no_argument, NULL, OPT_LIST_MODULES },
        { "grub-modules", no_argument, NULL, OPT_GRUB_MODULES },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    struct mkpv_options o = { .compress = MKPV_COMPRESS_NONE };
    bool list = false, grub_table = false;
    int c;
    uint8_t *keys = NULL;
    size_t keys_len = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":O:c:o:d:p:C:m:k:vhV", longopts, NULL)) != -1) {
        switch (c) {
        case 'O': o.format = optarg; break;
        case 'c': o.config_path = optarg; break;
        case 'o': o.output_path = optarg; break;
        case 'd': o.moddir = optarg; break;
        case 'p': o.prefix = optarg; break;
        case 'm': o.memdisk_path = optarg; break;
        case 'k':
            if (add_pubkey(optarg, &keys, &keys_len) < 0)
                return 1;
            break;
        case 'v': o.verbose++; break;
        case OPT_NO_VERIFY: o.no_verify = true; break;
        case OPT_LIST_MODULES: list = true; break;
        case OPT_GRUB_MODULES: grub_table = true; break;
        case 'C':
            if (mkpv_compress_parse(optarg, &o.compress) < 0)
                return usage_error("%s", mkpv_errmsg());
            break;
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            printf("mkpvimage (pvboot) %s\n", PVBOOT_VERSION);
            return 0;
        case ':':
            /* long options report optopt as their short letter: name what was typed */
            if (strncmp(argv[optind - 1], "--", 2) == 0)
                return usage_error("option %s needs an argument", argv[optind - 1]);
            return usage_error("option -%c needs an argument", optopt);
        default:
            if (optopt)
                return usage_error("unknown option -%c", optopt);
            return usage_error("unknown option %s", argv[optind - 1]);
        }
    }
    mkpv_set_verbose(o.verbose);
    mkpv_set_config_checker(check_config);
    /* a file-size limit makes write() fail with EFBIG (cleaned up) instead of
     * killing us with a temporary file left behind; interrupts remove it too */
    signal(SIGXFSZ, SIG_IGN);
    struct sigaction sa = { .sa_handler = mkpv_signal_cleanup };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    if (grub_table)
        return mkpv_grub_print_table(stdout) == 0 ? 0 : 1;
    if (list) {
        if (mkpv_list_modules(o.moddir, o.verbose, stdout) < 0) {
            fprintf(stderr, "mkpvimage: %s\n", mkpv_errmsg());
            return 1;
        }
        return fflush(stdout) == 0 ? 0 : 1;
    }
    if (!o.format)
        return usage_error("%s", "missing -O FORMAT (use -O " MKPV_FORMAT ")");
    if (strcmp(o.format, MKPV_FORMAT) != 0 && strcmp(o.format, MKPV_FORMAT_PVH) != 0) {
        fprintf(stderr, "mkpvimage: unknown format '%s' after -O (supported: %s, %s)\n",
                o.format, MKPV_FORMAT, MKPV_FORMAT_PVH);
        return 2;
    }
    if (!o.output_path && isatty(STDOUT_FILENO))
        return usage_error("%s", "no -o FILE and standard output is a terminal");
    if (!o.config_path) {
        o.config_text = mkpv_default_cfg;
        o.config_text_len = mkpv_default_cfg_len;
    }
    struct mkpv_grub_result g;
    if (mkpv_grub_translate((const char *const *)(argv + optind), (size_t)(argc - optind),
                            o.moddir, &g) < 0) {
        fprintf(stderr, "mkpvimage: %s\n", mkpv_errmsg());
        return 1;
    }
    for (size_t i = 0; i < g.nnotes; i++)
        fprintf(stderr, "mkpvimage: note: %s\n", g.notes[i]);
    o.modules = g.modules;
    o.nr_modules = g.nr_modules;
    o.pubkeys = keys;
    o.pubkeys_len = keys_len;
    /* embedded keys need the module that reads them (an explicit module
     * list without it gets it added; no list means every module) */
    const char **mods = NULL;
    if (keys && g.nr_modules) {
        bool have = false;
        for (size_t i = 0; i < g.nr_modules; i++)
            have |= strcmp(g.modules[i], "pgp") == 0;
        if (!have) {
            mods = calloc(g.nr_modules + 1, sizeof *mods);
            if (!mods) {
                fprintf(stderr, "mkpvimage: out of memory\n");
                return 1;
            }
            memcpy(mods, g.modules, g.nr_modules * sizeof *mods);
            mods[g.nr_modules] = "pgp";
            o.modules = mods;
            o.nr_modules = g.nr_modules + 1;
        }
    }
    int rc = 0;
    if (mkpv_run(&o) < 0) {
        fprintf(stderr, "mkpvimage: %s\n", mkpv_errmsg());
        rc = 1;
    }
    free(mods);
    free(keys);
    mkpv_grub_result_free(&g);
    return rc;
}
