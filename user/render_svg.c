// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The lifeline chart as SVG (see render_svg.h). Colours are the Okabe-Ito palette, which stays
 * distinct under the common colour-vision deficiencies; the zombie segment is also hatched, and
 * every mark has a shape of its own, so nothing depends on colour alone.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "format.h"
#include "render_svg.h"

#define SVG_W		1280
#define SVG_LABEL_X	8
#define SVG_INDENT	12	/* per tree level */
#define SVG_MAX_INDENT	10	/* levels; deeper rows stay at this indent */
#define SVG_PLOT_X	330
#define SVG_PLOT_W	(SVG_W - SVG_PLOT_X - 120)
#define SVG_TOP		92	/* first row */
#define SVG_ROW_H	18
#define SVG_BAR_H	10
#define SVG_LEGEND_H	64

struct svg {
	FILE *f;
	const struct history *h;
	uint64_t t0, t1;	/* the plot spans lifeline's start to the run's end */
	const struct history_row *rows;
	size_t nrows;
};

static const char svg_style[] =
	"text{font-family:sans-serif;font-size:11px;fill:#222}"
	".lbl{font-family:monospace}.title{font-size:15px;font-weight:bold}"
	".sub{fill:#555}.tick{fill:#555;font-size:10px}.grid{stroke:#ddd;stroke-width:1}"
	".stripe{fill:#f3f3f3}.life{fill:#0072B2}.zombie{fill:url(#hatch);stroke:#A66F00;"
	"stroke-width:.5}.open{fill:#0072B2}.zopen{fill:#E69F00;stroke:#A66F00;stroke-width:.5}.orphan{fill:#000}.adopt{stroke:#000;"
	"stroke-width:1;stroke-dasharray:3 2;fill:none}.stall{fill:#D55E00;stroke:#fff;stroke-width:.6}"
	".code{font-size:10px;fill:#555}.fail{fill:#D55E00;font-weight:bold}"
	".reap{stroke:#000;stroke-width:1.5}.folded{fill:#555;font-style:italic}";

void svg_xml(FILE *f, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i;

	for (i = 0; i < n; i++) {
		switch (p[i]) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default:
			/* U+FFFE and U+FFFF are valid UTF-8 but not XML characters. */
			if (p[i] == 0xef && i + 2 < n && p[i + 1] == 0xbf && p[i + 2] >= 0xbe) {
				fprintf(f, "\\xef\\xbf\\x%02x", p[i + 2]);
				i += 2;
				break;
			}
			fputc(p[i], f);
		}
	}
}

/* Runs a formatter into memory, then writes its output as XML text. */
static void svg_via(FILE *f, void (*fmt)(FILE *, const char *, size_t), const char *s, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		return;
	fmt(m, s, n);
	if (!fclose(m))
		svg_xml(f, buf, len);
	free(buf);
}

void svg_escape(FILE *f, const char *s, size_t n)
{
	svg_via(f, fmt_text, s, n);
}

static void svg_argv_fmt(FILE *f, const char *args, size_t len)
{
	fmt_argv(f, args, len, false);
}

/* The command line as a shell would quote it. */
static void svg_title(FILE *f, const struct svg_opts *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m;
	int i;

	if (!o->argv || o->argc <= 0 || !(m = open_memstream(&buf, &len))) {
		fputs("lifeline", f);
		return;
	}
	for (i = 0; i < o->argc; i++) {
		/* "lifeline", not the path it was run by (as ps shows it) */
		const char *arg = o->argv[i], *slash = i ? NULL : strrchr(arg, '/');

		if (slash)
			arg = slash + 1;
		fwrite(arg, 1, strlen(arg) + 1, m);
	}
	if (!fclose(m))
		svg_via(f, svg_argv_fmt, buf, len);
	free(buf);
}

static void svg_esc_str(FILE *f, const char *s)
{
	svg_escape(f, s, strnlen(s, LL_COMM_LEN));
}

/* ---- geometry ---------------------------------------------------------------------------- */

static double svg_x(const struct svg *s, uint64_t ns)
{
	double span = (double)(s->t1 - s->t0);

	if (ns <= s->t0 || span <= 0)
		return SVG_PLOT_X;
	if (ns >= s->t1)
		return SVG_PLOT_X + SVG_PLOT_W;
	return SVG_PLOT_X + SVG_PLOT_W * ((double)(ns - s->t0) / span);
}

static double svg_row_y(size_t row)
{
	return SVG_TOP + (double)row * SVG_ROW_H;
}

static uint64_t svg_us(const struct svg *s, uint64_t ns)
{
	return ns > s->t0 ? (ns - s->t0) / 1000 : 0;
}

/* ---- the time axis ----------------------------------------------------------------------- */

/* A tick label for t µs on an axis spanning span µs, in one unit for the whole axis: "500 µs",
 * "1.5 ms", "2.5 s", "1:30". */
static void svg_tick_label(char *buf, size_t n, uint64_t t, uint64_t span)
{
	if (!t)
		snprintf(buf, n, "0");
	else if (span < 2000)
		snprintf(buf, n, "%" PRIu64 " µs", t);
	else if (span < 2000000)
		snprintf(buf, n, "%g ms", (double)t / 1e3);
	else if (span < 120000000)
		snprintf(buf, n, "%g s", (double)t / 1e6);
	else
		snprintf(buf, n, "%" PRIu64 ":%02" PRIu64, t / 60000000, t / 1000000 % 60);
}

/* 1-2-5 steps up to a second, then seconds and minutes people count in. */
static uint64_t svg_tick_step(uint64_t span_us)
{
	static const uint64_t big[] = { 1000000, 2000000, 5000000, 10000000, 15000000, 30000000,
		60000000, 120000000, 300000000, 600000000, 900000000, 1800000000, 3600000000ULL };
	uint64_t step = 1;
	size_t i;

	for (; step < 1000000; step *= 10) {
		if (span_us / step <= 10)
			return step;
		if (span_us / (step * 2) <= 10)
			return step * 2;
		if (span_us / (step * 5) <= 10)
			return step * 5;
	}
	for (i = 0; i < sizeof(big) / sizeof(big[0]); i++)
		if (span_us / big[i] <= 10)
			return big[i];
	return (span_us / 10 / 3600000000ULL + 1) * 3600000000ULL;
}

static void svg_axis(const struct svg *s, double bottom)
{
	uint64_t span = svg_us(s, s->t1), step = svg_tick_step(span ? span : 1), t;
	char label[32];
	double x;

	for (t = 0; t <= span; t += step) {
		x = svg_x(s, s->t0 + t * 1000);
		svg_tick_label(label, sizeof(label), t, span);
		fprintf(s->f, "<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\"/>"
			"<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
			x, SVG_TOP - 8, x, bottom, x, SVG_TOP - 12, label);
	}
}

/* ---- one process row --------------------------------------------------------------------- */

static void svg_attr_us(const struct svg *s, const char *name, uint64_t ns)
{
	if (ns != LL_UNKNOWN)
		fprintf(s->f, " %s=\"%" PRIu64 "\"", name, svg_us(s, ns));
}

static void svg_proc_attrs(const struct svg *s, const struct history_proc *p)
{
	struct fmt_status st = fmt_decode_status(p->status);

	fprintf(s->f, "<g class=\"proc\" data-pid=\"%u\"", p->pid);
	if (p->ppid)
		fprintf(s->f, " data-ppid=\"%u\"", p->ppid);
	fputs(" data-comm=\"", s->f);
	svg_esc_str(s->f, p->comm[0] ? p->comm : "?");
	fputc('"', s->f);
	if (p->old_comm[0]) {
		fputs(" data-old-comm=\"", s->f);
		svg_esc_str(s->f, p->old_comm);
		fputc('"', s->f);
	}
	svg_attr_us(s, "data-start-us", p->start_ns);
	svg_attr_us(s, "data-exit-us", p->exit_ns);
	svg_attr_us(s, "data-reap-us", p->reap_ns);
	if (p->flags & HP_EXITED) {
		if (st.signaled)
			fprintf(s->f, " data-signal=\"%d\"%s", st.code,
				st.core ? " data-core=\"true\"" : "");
		else
			fprintf(s->f, " data-exit-code=\"%d\"", st.code);
	}
	if (p->flags & HP_AUTOREAP)
		fputs(" data-autoreap=\"true\"", s->f);
	if (p->flags & HP_ORPHAN) {
		svg_attr_us(s, "data-orphan-us", p->orphan_ns);
		if (p->adopter)
			fprintf(s->f, " data-adopter=\"%u\"", p->adopter);
	}
	fputs(">", s->f);
}

/* "exit 0", "exit 3", "SIGKILL", "SIGSEGV (core)"; failures get the warning colour. */
static void svg_end_label(const struct svg *s, const struct history_proc *p, double x, double y)
{
	struct fmt_status st = fmt_decode_status(p->status);
	char sig[FMT_NAME_LEN];

	if (!(p->flags & HP_EXITED))
		return;
	fprintf(s->f, "<text class=\"code%s\" x=\"%.1f\" y=\"%.1f\">", st.signaled || st.code ?
		" fail" : "", x + 4, y + SVG_BAR_H - 1);
	if (st.signaled)
		fprintf(s->f, "%s%s", fmt_signal(sig, sizeof(sig), st.code), st.core ? " (core)" : "");
	else
		fprintf(s->f, "exit %d", st.code);
	fputs("</text>", s->f);
}

static void svg_tooltip(const struct svg *s, const struct history_proc *p)
{
	char a[FMT_DUR_LEN], b[FMT_DUR_LEN];
	uint64_t end = (p->flags & HP_EXITED) ? p->exit_ns : s->t1;
	uint64_t from = p->start_ns != LL_UNKNOWN ? p->start_ns : s->t0;

	fprintf(s->f, "<title>%u ", p->pid);
	svg_esc_str(s->f, p->comm[0] ? p->comm : "?");
	fprintf(s->f, ": %s %s", p->start_ns != LL_UNKNOWN ? "lived" : "seen for",
		fmt_dur_us(a, sizeof(a), end > from ? (end - from) / 1000 : 0));
	if ((p->flags & HP_REAPED) && !(p->flags & HP_AUTOREAP) && p->exit_ns != LL_UNKNOWN)
		fprintf(s->f, ", then a zombie for %s",
			fmt_dur_us(b, sizeof(b), p->reap_ns > p->exit_ns ?
				   (p->reap_ns - p->exit_ns) / 1000 : 0));
	else if ((p->flags & HP_EXITED) && !(p->flags & (HP_REAPED | HP_AUTOREAP)))
		fputs(", still a zombie at the end", s->f);
	if (p->flags & HP_AUTOREAP)
		fputs(", auto-reaped", s->f);
	if (p->flags & HP_ORPHAN)
		fprintf(s->f, "; orphaned, adopted by %u", p->adopter);
	fputs("</title>", s->f);
}

static void svg_label(const struct svg *s, const struct history_row *r, double y)
{
	unsigned int depth = r->depth < SVG_MAX_INDENT ? r->depth : SVG_MAX_INDENT;
	const struct history_proc *p = r->proc;

	fprintf(s->f, "<text class=\"lbl\" x=\"%d\" y=\"%.1f\">%s%u ",
		SVG_LABEL_X + depth * SVG_INDENT, y + SVG_BAR_H - 1, depth ? "└ " : "", p->pid);
	svg_esc_str(s->f, p->comm[0] ? p->comm : "?");
	if (p->old_comm[0]) {
		fputs(" (was ", s->f);
		svg_esc_str(s->f, p->old_comm);
		fputc(')', s->f);
	}
	fputs("</text>", s->f);
}

/* A triangle pointing left at x (began before lifeline) or right (still running at the end). */
static void svg_open_end(const struct svg *s, double x, double y, bool left, const char *cls)
{
	double d = left ? -6 : 6;

	fprintf(s->f, "<polygon class=\"%s\" points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\"/>",
		cls, x, y, x + d, y + SVG_BAR_H / 2.0, x, y + SVG_BAR_H);
}

static void svg_proc(const struct svg *s, size_t row)
{
	const struct history_row *r = &s->rows[row];
	const struct history_proc *p = r->proc;
	double y = svg_row_y(row) + (SVG_ROW_H - SVG_BAR_H) / 2.0;
	uint64_t from = p->start_ns != LL_UNKNOWN ? p->start_ns : s->t0;
	uint64_t exit = (p->flags & HP_EXITED) && p->exit_ns != LL_UNKNOWN ? p->exit_ns : s->t1;
	double x0 = svg_x(s, from), x1 = svg_x(s, exit), xz, ya;

	svg_proc_attrs(s, p);
	svg_tooltip(s, p);
	svg_label(s, r, y);
	/* At least a pixel: a 100 µs life on a minute's axis still shows. */
	fprintf(s->f, "<rect class=\"life\" x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" height=\"%d\"/>",
		x0, y, x1 - x0 > 1 ? x1 - x0 : 1, SVG_BAR_H);
	if (p->start_ns == LL_UNKNOWN)
		svg_open_end(s, x0, y, true, "open");
	if (!(p->flags & HP_EXITED))
		svg_open_end(s, x1, y, false, "open");
	xz = x1;
	if ((p->flags & HP_EXITED) && !(p->flags & HP_AUTOREAP)) {
		xz = svg_x(s, (p->flags & HP_REAPED) ? p->reap_ns : s->t1);
		fprintf(s->f, "<rect class=\"zombie\" x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" "
			"height=\"%d\"/>", x1, y, xz - x1, SVG_BAR_H);
		if (p->flags & HP_REAPED)
			fprintf(s->f, "<line class=\"reap\" x1=\"%.2f\" y1=\"%.1f\" x2=\"%.2f\" "
				"y2=\"%.1f\"/>", xz, y - 2, xz, y + SVG_BAR_H + 2);
		else
			svg_open_end(s, xz, y, false, "zopen");
	}
	if (p->flags & HP_ORPHAN) {
		double xo = svg_x(s, p->orphan_ns), ym = y + SVG_BAR_H / 2.0;

		if (r->adopter_row >= 0) {
			ya = svg_row_y(r->adopter_row) + SVG_ROW_H / 2.0;
			fprintf(s->f, "<line class=\"adopt\" x1=\"%.2f\" y1=\"%.1f\" x2=\"%.2f\" "
				"y2=\"%.1f\"/>", xo, ym, xo, ya);
		}
		fprintf(s->f, "<path class=\"orphan\" d=\"M%.2f %.1fl5 5 -5 5 -5 -5z\"/>", xo,
			ym - 5);
	}
	/* after the reap mark, or after the triangle of a zombie still there at the end */
	svg_end_label(s, p, xz + ((p->flags & (HP_REAPED | HP_AUTOREAP)) ? 0 : 6), y);
	fputs("</g>\n", s->f);
}

/* ---- loop rows --------------------------------------------------------------------------- */

static void svg_loop(const struct svg *s, size_t row)
{
	const struct history_row *r = &s->rows[row];
	const struct history_loop *l = r->loop;
	double y = svg_row_y(row) + (SVG_ROW_H - SVG_BAR_H) / 2.0, x0, x1;
	unsigned int depth = r->depth < SVG_MAX_INDENT ? r->depth : SVG_MAX_INDENT;
	char d[FMT_DUR_LEN];
	uint32_t i;

	fprintf(s->f, "<g class=\"loop\" data-pid=\"%u\" data-tid=\"%u\" data-comm=\"", l->pid,
		l->tid);
	svg_esc_str(s->f, l->comm[0] ? l->comm : "?");
	fprintf(s->f, "\" data-stalls=\"%" PRIu64 "\" data-max-stall-us=\"%" PRIu64 "\">",
		l->stalls, l->max_ns / 1000);
	fprintf(s->f, "<text class=\"lbl sub\" x=\"%d\" y=\"%.1f\">%sloop tid %u: %" PRIu64
		" stall%s, max %s</text>", SVG_LABEL_X + depth * SVG_INDENT, y + SVG_BAR_H - 1,
		depth ? "└ " : "", l->tid, l->stalls, l->stalls == 1 ? "" : "s",
		fmt_dur_us(d, sizeof(d), l->max_ns / 1000));
	for (i = 0; i < l->nkept; i++) {
		const struct history_stall *st = &l->stall[i];

		x0 = svg_x(s, st->start_ns);
		x1 = svg_x(s, st->start_ns + st->dur_ns);
		fprintf(s->f, "<rect class=\"stall\" data-start-us=\"%" PRIu64 "\" data-dur-us=\"%"
			PRIu64 "\"", svg_us(s, st->start_ns), st->dur_ns / 1000);
		if (st->syscall[0]) {
			fputs(" data-syscall=\"", s->f);
			svg_escape(s->f, st->syscall, strnlen(st->syscall, sizeof(st->syscall)));
			fputc('"', s->f);
		}
		fprintf(s->f, " x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%d\"><title>stall "
			"%s", x0, y, x1 - x0 > 1 ? x1 - x0 : 1, SVG_BAR_H,
			fmt_dur_us(d, sizeof(d), st->dur_ns / 1000));
		if (st->syscall[0]) {
			fputs(", slept in ", s->f);
			svg_escape(s->f, st->syscall, strnlen(st->syscall, sizeof(st->syscall)));
		}
		fputs("</title></rect>", s->f);
		if (st->syscall[0] && x1 - x0 > 40) {
			fprintf(s->f, "<text class=\"code\" x=\"%.1f\" y=\"%.1f\">", x0 + 2,
				y - 1);
			svg_escape(s->f, st->syscall, strnlen(st->syscall, sizeof(st->syscall)));
			fputs("</text>", s->f);
		}
	}
	fputs("</g>\n", s->f);
}

/* ---- the frame --------------------------------------------------------------------------- */

static void svg_head(const struct svg *s, const struct svg_opts *o, double height)
{
	char d[FMT_DUR_LEN];

	fprintf(s->f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%.0f\" "
		"viewBox=\"0 0 %d %.0f\" data-plot-x=\"%d\" data-plot-width=\"%d\" "
		"data-duration-us=\"%" PRIu64 "\" data-row-height=\"%d\" data-first-row-y=\"%d\">\n"
		"<title>", SVG_W, height, SVG_W, height, SVG_PLOT_X, SVG_PLOT_W, svg_us(s, s->t1),
		SVG_ROW_H, SVG_TOP);
	svg_title(s->f, o);
	fprintf(s->f, "</title>\n<style>%s</style>\n<defs><pattern id=\"hatch\" "
		"patternUnits=\"userSpaceOnUse\" width=\"6\" height=\"6\">"
		"<rect width=\"6\" height=\"6\" fill=\"#E69F00\"/>"
		"<path d=\"M-1 1l2-2M0 6l6-6M5 7l2-2\" stroke=\"#000\" stroke-width=\"1.2\" "
		"stroke-opacity=\".55\"/></pattern></defs>\n"
		"<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n", svg_style);
	fputs("<text class=\"title\" x=\"8\" y=\"22\">", s->f);
	svg_title(s->f, o);
	fprintf(s->f, "</text>\n<text class=\"sub\" x=\"8\" y=\"42\">lifeline chart: %s run",
		fmt_dur_us(d, sizeof(d), svg_us(s, s->t1)));
}

static void svg_counts(const struct svg *s, const struct history_folded *fo)
{
	size_t i, procs = 0, zombies = 0, orphans = 0, failed = 0;

	for (i = 0; i < s->nrows; i++) {
		const struct history_proc *p = s->rows[i].proc;

		if (!p || s->rows[i].loop)
			continue;
		procs++;
		orphans += !!(p->flags & HP_ORPHAN);
		zombies += history_lingered(s->h, p);
		failed += history_failed(p);
	}
	fprintf(s->f, ", %zu process%s drawn (%zu lingered as zombie%s, %zu orphan%s, %zu "
		"failed)", procs, procs == 1 ? "" : "es", zombies, zombies == 1 ? "" : "s", orphans,
		orphans == 1 ? "" : "s", failed);
	if (fo->procs)
		fprintf(s->f, ", %" PRIu64 " folded", fo->procs);
	fputs("; time since lifeline started</text>\n", s->f);
}

static void svg_stripes(const struct svg *s)
{
	size_t i;

	for (i = 1; i < s->nrows; i += 2)
		fprintf(s->f, "<rect class=\"stripe\" x=\"0\" y=\"%.0f\" width=\"%d\" "
			"height=\"%d\"/>\n", svg_row_y(i), SVG_W, SVG_ROW_H);
}

static void svg_folded(const struct svg *s, const struct history_folded *fo, double y)
{
	char d[FMT_DUR_LEN];

	if (!fo->procs)
		return;
	fprintf(s->f, "<g class=\"folded\" data-count=\"%" PRIu64 "\" data-failed=\"%" PRIu64
		"\" data-zombies=\"%" PRIu64 "\" data-orphans=\"%" PRIu64 "\"><text class="
		"\"folded\" x=\"%d\" y=\"%.1f\">… %" PRIu64 " more processes folded (%" PRIu64
		" failed, %" PRIu64 " lingered as zombies, %" PRIu64 " orphans; the longest "
		"lived %s)</text></g>\n", fo->procs, fo->failed, fo->zombies, fo->orphans,
		SVG_LABEL_X, y + SVG_BAR_H + 3, fo->procs, fo->failed, fo->zombies, fo->orphans,
		fmt_dur_us(d, sizeof(d), fo->max_life_ns / 1000));
}

/* One legend entry: its swatch (SVG at 0,0, 30 wide), then the text, in a grid cell. */
static void svg_key(const struct svg *s, int col, int row, const char *swatch, const char *text)
{
	fprintf(s->f, "<g transform=\"translate(%d %d)\">%s<text x=\"38\" y=\"9\">%s</text>"
		"</g>", SVG_LABEL_X + col * 420, row * 18, swatch, text);
}

static void svg_legend(const struct svg *s, double y)
{
	fprintf(s->f, "<g class=\"legend\" transform=\"translate(0 %.0f)\">", y);
	svg_key(s, 0, 0, "<rect class=\"life\" width=\"30\" height=\"10\"/>",
		"alive: fork (or first sight) to exit");
	svg_key(s, 1, 0, "<rect class=\"zombie\" width=\"30\" height=\"10\"/><line "
		"class=\"reap\" x1=\"30\" y1=\"-2\" x2=\"30\" y2=\"12\"/>",
		"zombie: exit to reap (hatched; the bar ends at the reap)");
	svg_key(s, 2, 0, "<line class=\"adopt\" x1=\"5\" y1=\"5\" x2=\"30\" y2=\"5\"/>"
		"<path class=\"orphan\" d=\"M5 0l5 5 -5 5 -5 -5z\"/>",
		"orphan: where its parent died; dashed to the adopter");
	svg_key(s, 0, 1, "<polygon class=\"open\" points=\"6,0 0,5 6,10\"/><polygon "
		"class=\"open\" points=\"18,0 24,5 18,10\"/>",
		"began before lifeline / still there at the end");
	svg_key(s, 1, 1, "<rect class=\"stall\" width=\"30\" height=\"10\"/>",
		"loop stall: a busy stretch longer than --stall-ms, as wide as it lasted");
	svg_key(s, 2, 1, "<text class=\"code fail\" y=\"9\">exit 3</text>",
		"how it ended: exit code or signal (failures in this colour)");
	fputs("</g>\n", s->f);
	fprintf(s->f, "<text class=\"sub\" x=\"%d\" y=\"%.0f\">Rows: processes in tree order "
		"(children under their parent), labelled pid and command; each process's times "
		"are also in its group's data-*-us attributes.</text>\n",
		SVG_LABEL_X, y + 50);
}

int render_svg(FILE *f, const struct history *h, const struct svg_opts *o)
{
	size_t max_rows = o->max_rows ? o->max_rows : SVG_MAX_ROWS;
	size_t max_out = max_rows + history_loops(h);	/* loop rows come on top */
	struct history_row *rows = calloc(max_out, sizeof(*rows));
	struct svg s = { .f = f, .h = h, .t0 = history_start_ns(h), .t1 = history_end_ns(h) };
	struct history_folded fo;
	double bottom, height;
	size_t i;

	if (!rows)
		return -ENOMEM;
	if (s.t1 <= s.t0)
		s.t1 = s.t0 + 1000;
	s.rows = rows;
	s.nrows = history_rows(h, max_rows, rows, max_out, &fo);
	bottom = svg_row_y(s.nrows) + (fo.procs ? SVG_ROW_H : 0);
	height = bottom + 16 + SVG_LEGEND_H;
	svg_head(&s, o, height);
	svg_counts(&s, &fo);
	svg_stripes(&s);
	svg_axis(&s, bottom);
	for (i = 0; i < s.nrows; i++) {
		if (rows[i].loop)
			svg_loop(&s, i);
		else
			svg_proc(&s, i);
	}
	svg_folded(&s, &fo, svg_row_y(s.nrows));
	svg_legend(&s, bottom + 16);
	fputs("</svg>\n", f);
	free(rows);
	return ferror(f) ? -EIO : 0;
}
