// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* The one definition of the knobs, counters and maps every domain shares (common.bpf.h). */
#define LL_DEFINE_SHARED
#include "common.bpf.h"

const volatile __u32 ll_self_tgid = 0;
const volatile bool ll_filter_pids = false;
const volatile bool ll_filter_uid = false;
const volatile __u32 ll_uid = 0;
const volatile __u32 ll_ncomms = 0;
const volatile char ll_comms[LL_MAX_COMM_FILTERS][LL_COMM_LEN] = {};
const volatile __u64 ll_stall_ns = 50 * 1000 * 1000ULL;
const volatile bool ll_loop_all = false;
const volatile __u64 ll_wakeup_bytes = 256 * 1024;
const volatile __u32 ll_ncgroups = 0;

__u64 ll_sent[LL_MAX_CPUS][LL_REC_MAX] = {};
__u64 ll_drops[LL_MAX_CPUS][LL_REC_MAX] = {};
__u64 ll_map_full[LL_MAX_CPUS] = {};

char LICENSE[] SEC("license") = "Dual BSD/GPL";
