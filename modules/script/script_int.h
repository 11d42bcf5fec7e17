/* SPDX-License-Identifier: MIT */
/* Internal interfaces of module `normal`: the parsed script (AST). */
#ifndef PVBOOT_NORMAL_SCRIPT_INT_H
#define PVBOOT_NORMAL_SCRIPT_INT_H

#include <stdbool.h>
#include <stddef.h>

enum node_type {
    N_CMD,        /* simple command: words */
    N_IF,         /* cond / body / els (els may be another N_IF for elif) */
    N_FOR,        /* words[0] = variable, words[1..] = list; body */
    N_WHILE,      /* cond / body */
    N_UNTIL,
    N_FUNC,       /* words[0] = name; body */
};

struct word {
    const char *raw;      /* source text of the word, quotes included,
                             backslash-newline continuations removed;
                             a block: `{', its source text, `}' */
    int line, col;
    bool block;           /* a { ... } block argument: one word, as it is */
};

struct node {
    enum node_type type;
    int line, col;
    bool negate;          /* `! cmd` */
    int nwords;
    struct word *words;
    struct node *cond, *body, *els;
    struct node *next;
};

/* One parsed text: all nodes and strings live in its arena; functions
 * defined by it keep a reference. */
struct script {
    int refs;
    char *filename;
    struct arena_chunk *chunks;
    struct node *root;
};

/* Incremental parser: parse one top-level command at a time (GRUB runs a
 * config command by command, so commands before a syntax error have run). */
struct parser;
struct parser *parser_new(const char *text, size_t len, const char *filename,
                          int first_line, struct script **sc);
/* 1 = *out is the next top-level command, 0 = end, <0 = syntax error
 * (recorded with pb_error as FILE:LINE:COL). */
int parser_next(struct parser *p, struct node **out);
/* GRUB's unit of parsing and running (GRUB reads a config line by line
 * and parses a line, with the further lines an unfinished command needs,
 * before running any of it): 1 = *out is the list of the commands that end
 * on the next line, 0 = end, <0 = syntax error (as parser_next). */
int parser_next_chunk(struct parser *p, struct node **out);
/* After a syntax error: skip the rest of the line the error was found on
 * and go on from the next one (GRUB's recovery in a config file). */
void parser_recover(struct parser *p);
/* The text is a config file (GRUB's read_config_file, which skips the
 * lines that start with `#'): a block argument's text leaves them out. */
void parser_config_file(struct parser *p);
void parser_free(struct parser *p);

void script_ref(struct script *s);
void script_unref(struct script *s);

/* exec.c */
int exec_node_list(struct node *n);
bool name_is_ident(const char *s, size_t len);

#endif
