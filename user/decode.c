// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <string.h>
#include "decode.h"

/* The one table of record types: what the validator checks, what the summaries call a type,
 * and which state modules take it (app.c routes by .to). A new record type is one row here. */
static const struct ll_rec_info rec_info[LL_REC_MAX] = {
	[LL_REC_FORK] = { "fork", sizeof(struct ll_fork), LL_TO_PROCS | LL_TO_LISTENERS_FORK },
	[LL_REC_EXEC] = { "exec", sizeof(struct ll_exec), LL_TO_PROCS },
	[LL_REC_EXIT] = { "exit", sizeof(struct ll_exit), LL_TO_PROCS },
	[LL_REC_REAP] = { "reap", sizeof(struct ll_reap), LL_TO_PROCS },
	[LL_REC_SIGCHLD] = { "sigchld", sizeof(struct ll_sigchld), LL_TO_PROCS },
	[LL_REC_ACCEPT] = { "accept", sizeof(struct ll_accept), LL_TO_LISTENERS_ACCEPT },
	[LL_REC_LOOP_NEW] = { "loop_new", sizeof(struct ll_loop_new), LL_TO_LOOPS },
	[LL_REC_STALL] = { "stall", sizeof(struct ll_stall), LL_TO_LOOPS },
	[LL_REC_WAKEUP] = { "wakeup", sizeof(struct ll_wakeup), LL_TO_LOOPS },
	[LL_REC_LOOP_EXIT] = { "loop_exit", sizeof(struct ll_loop_exit), LL_TO_LOOPS },
	[LL_REC_FORK_FAILED] = { "fork_failed", sizeof(struct ll_fork_failed), LL_TO_FORKFAILS },
};

const struct ll_rec_info *ll_rec_info(unsigned int type)
{
	if (type == 0 || type >= LL_REC_MAX || !rec_info[type].name)
		return NULL;
	return &rec_info[type];
}

const char *ll_rec_name(int type)
{
	const struct ll_rec_info *ri = type > 0 ? ll_rec_info(type) : NULL;

	return ri ? ri->name : "?";
}

/* Strings from the kernel are bounded but not always terminated; the checks here let every
 * reader treat them as C strings after ll_decode() says yes. */
static int check_exec(const struct ll_exec *e)
{
	if (e->filename_len >= LL_FILENAME_LEN || e->args_len > LL_ARGS_LEN)
		return -EINVAL;
	if (memchr(e->filename, 0, LL_FILENAME_LEN) == NULL)
		return -EINVAL;
	return 0;
}

int ll_decode(const void *data, size_t size)
{
	struct ll_hdr h;

	if (!data || size < sizeof(h))
		return -EINVAL;
	memcpy(&h, data, sizeof(h));
	if (!ll_rec_info(h.type) || h.size != size || size != rec_info[h.type].size)
		return -EINVAL;
	if (h.type == LL_REC_EXEC && check_exec(data))
		return -EINVAL;
	return h.type;
}
