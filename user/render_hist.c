// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* The final text report's log2 histograms, in the style of libbpf-tools. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include "hist.h"
#include "render.h"

static void hist_stars(FILE *f, uint64_t val, uint64_t val_max, int width)
{
	int stars = (int)((val < val_max ? val : val_max) * width / val_max), i;

	for (i = 0; i < width; i++)
		fputc(i < stars ? '*' : ' ', f);
	if (val > val_max)
		fputc('+', f);
}

/*
 * libbpf-tools' print_log2_hist, row for row: row k holds [2^k, 2^(k+1)), row 0 also holds 0.
 * hist_log2() puts zeros in out[0] and [2^(i-1), 2^i) in out[i], so row k = out[k + 1] (+ out[0]).
 */
void render_log2_hist(FILE *f, const struct ll_hist *h, const char *val_type)
{
	uint64_t out[64], rows[64] = { 0 }, val_max = 0;
	unsigned int nb, i;
	int idx_max = -1, k, stars, width;

	if (!h || !h->count)
		return;
	hist_log2(h, out, &nb);
	for (i = 0; i < nb && i < 64; i++) {
		k = i ? (int)i - 1 : 0;
		rows[k] += out[i];
	}
	for (k = 0; k < 64; k++) {
		if (rows[k])
			idx_max = k;
		if (rows[k] > val_max)
			val_max = rows[k];
	}
	if (idx_max < 0)
		return;
	stars = idx_max <= 32 ? 40 : 20;
	width = idx_max <= 32 ? 10 : 20;
	fprintf(f, "%*s%-*s : count    distribution\n", idx_max <= 32 ? 5 : 15, "",
		idx_max <= 32 ? 19 : 29, val_type);
	for (k = 0; k <= idx_max; k++) {
		uint64_t low = (1ULL << (k + 1)) >> 1, high = (1ULL << (k + 1)) - 1;

		if (low == high)
			low -= 1;
		fprintf(f, "%*" PRIu64 " -> %-*" PRIu64 " : %-8" PRIu64 " |", width, low, width,
			high, rows[k]);
		hist_stars(f, rows[k], val_max, stars);
		fputs("|\n", f);
	}
}
