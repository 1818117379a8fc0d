/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Formatting helpers shared by the renderers: durations, addresses, names of kernel constants,
 * and terminal-safe text. Every helper that takes a buffer returns it, so calls nest in printf.
 * Values the tracer could not know (LL_UNKNOWN) come out as "?", never as 0.
 */
#ifndef LL_FORMAT_H
#define LL_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "event.h"

#define FMT_DUR_LEN	16
#define FMT_NUM_LEN	24
#define FMT_ADDR_LEN	64	/* "[ffff:...:ffff]:65535" */
#define FMT_NAME_LEN	24

/* "850µs", "1.23ms", "12.3ms", "123ms", "1.23s", "2m03s", "1h02m"; "?" for LL_UNKNOWN. */
const char *fmt_dur_us(char *buf, size_t n, uint64_t us);
/* "us" instead of "µs" from now on: the locale's charset is not UTF-8. */
void fmt_set_ascii(bool ascii);
bool fmt_ascii(void);
/* A zombie's age: fmt_dur_us, or ">min" when it predates lifeline (us is LL_UNKNOWN). */
const char *fmt_oldest_us(char *buf, size_t n, uint64_t us, uint64_t min_us);
/* Decimal, or "?" for LL_UNKNOWN. */
const char *fmt_u64(char *buf, size_t n, uint64_t v);
/* A pid, or "?" for 0 (the views and events use 0 for "not known"). */
const char *fmt_pid(char *buf, size_t n, uint32_t pid);
/* "10.0.0.1" or "::1" (no brackets); "?" when family is neither AF_INET nor AF_INET6. */
const char *fmt_ip(char *buf, size_t n, unsigned int family, const uint8_t addr[16]);
/* "10.0.0.1:80" or "[::1]:80"; "?" when the family is unknown. */
const char *fmt_addr(char *buf, size_t n, unsigned int family, const uint8_t addr[16],
		     unsigned int port);
/* "SIGKILL", or "SIG77" for a number without a name. */
const char *fmt_signal(char *buf, size_t n, int sig);
/* "EAGAIN", or "E4095" for a number without a name. */
const char *fmt_errno(char *buf, size_t n, int err);

/* Fixed names: "wait4", "waitid", "autoreap", "free" ("?" otherwise). */
const char *fmt_how(enum ll_how how);
/* "delivered", "ignored", "coalesced", "other". */
const char *fmt_sig_result(int result);
/* si_code of a SIGCHLD: "exited", "killed", "dumped", ...; NULL when not a CLD_* code. */
const char *fmt_cld_code(int code);

/* A wait(2) status word, decoded. */
struct fmt_status {
	bool signaled;
	int code;	/* exit code when !signaled, else the signal number */
	bool core;
};
struct fmt_status fmt_decode_status(uint32_t status);

/*
 * comm for fixed-width columns: printable ASCII kept, every other byte becomes '?', so a hostile
 * name can neither move the cursor nor break the alignment. out must hold LL_COMM_LEN bytes.
 */
const char *fmt_comm(char out[LL_COMM_LEN], const char *comm);

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when s[0] does not start one. */
size_t fmt_utf8_len(const unsigned char *s, size_t n);

/*
 * Terminal-safe text: printable ASCII and valid UTF-8 (except C1 controls) pass through,
 * \n \t \r \\ are written as such escapes, any other byte as \xHH.
 */
void fmt_text(FILE *f, const char *s, size_t n);
/* argv (NUL-separated, len bytes) joined with spaces, each argument through fmt_text, quoted
 * with '' when it is empty or holds blanks or quotes; " [...]" when truncated. */
void fmt_argv(FILE *f, const char *args, size_t len, bool truncated);

/* Display columns of s: UTF-8 code points, ANSI CSI sequences count for nothing. */
size_t fmt_width(const char *s);
/* Appends s in |width| display columns, right-aligned when width > 0, left-aligned when < 0,
 * then a space (table cells; printf's widths count bytes, which "µs" breaks). */
void fmt_col(char *buf, size_t n, size_t *pos, int width, const char *s);
/* Name of a kernel record type (enum ll_rec_type): "fork", ..., "loop_exit"; NULL if none. */
const char *fmt_rec_name(unsigned int type);

/* Appends printf output to buf (size n) at *pos, never past the end; returns buf. */
char *fmt_append(char *buf, size_t n, size_t *pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
