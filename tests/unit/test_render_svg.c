// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The chart renderer: escaping of hostile names, the data attributes (unknown times left out),
 * geometry against the times it was given, well-formed nesting, ticks across time scales, the
 * folded row, and write errors.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "test.h"
#include "render_svg.h"

#define MS 1000000ULL
#define T0 (5000 * MS)

static char *escaped(const char *s, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	svg_escape(f, s, n);
	fclose(f);
	return buf;
}

static void test_escape(void)
{
	static const char hostile[] = "a\"<&>'\n\xff\\b";
	static const char nonchar[] = "x\xef\xbf\xbey";
	static const char utf8[] = "caf\xc3\xa9";
	char *e = escaped(hostile, sizeof(hostile) - 1);

	ASSERT_STREQ(e, "a&quot;&lt;&amp;&gt;&#39;\\n\\xff\\\\b", "entities and escapes");
	free(e);
	e = escaped(nonchar, sizeof(nonchar) - 1);
	ASSERT_STREQ(e, "x\\xef\\xbf\\xbey", "U+FFFE is no XML character");
	free(e);
	e = escaped(utf8, sizeof(utf8) - 1);
	ASSERT_STREQ(e, utf8, "valid UTF-8 passes");
	free(e);
}

static struct ll_event ev(enum ll_ev_kind kind, uint64_t ts, uint32_t pid, uint32_t ppid,
			  const char *comm)
{
	struct ll_event e = { .kind = kind, .ts_ns = ts, .pid = pid, .ppid = ppid };

	strncpy(e.comm, comm, sizeof(e.comm) - 1);
	return e;
}

static void feed(struct history *h, struct ll_event e)
{
	history_event(h, &e);
}

/* Renders h into a string. */
static char *render(const struct history *h, size_t max_rows, int *ret)
{
	char *argv[] = { "lifeline", "--svg", "x.svg", "--", "sh", "-c", "a && b" };
	struct svg_opts o = { .argv = argv, .argc = 7, .max_rows = max_rows };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	*ret = render_svg(f, h, &o);
	fclose(f);
	return buf;
}

/* Every <g opens and closes, tags are balanced, and no raw '&' or '<' hides in text. */
static bool balanced(const char *s)
{
	int depth = 0;
	const char *p;

	for (p = s; (p = strchr(p, '<')); p++) {
		if (!strncmp(p, "</", 2))
			depth--;
		else if (p[1] != '?' && p[1] != '!')
			depth++;
		p = strchr(p, '>');
		if (!p)
			return false;
		if (p[-1] == '/')
			depth--;
		if (depth < 0)
			return false;
	}
	for (p = s; (p = strchr(p, '&')); p++)
		if (strncmp(p, "&amp;", 5) && strncmp(p, "&lt;", 4) && strncmp(p, "&gt;", 4) &&
		    strncmp(p, "&quot;", 6) && strncmp(p, "&#39;", 5))
			return false;
	return depth == 0;
}

/* The number after key="... in the element that holds marker, or -1. */
static double attr_after(const char *s, const char *marker, const char *key)
{
	const char *p = strstr(s, marker), *end, *k;

	if (!p)
		return -1;
	end = strchr(p, '>');
	k = strstr(p, key);
	if (!k || k > end)
		return -1;
	return strtod(k + strlen(key), NULL);
}

static void test_chart_attributes_and_geometry(void)
{
	struct history *h = history_new(&(struct history_cfg){ .start_ns = T0 });
	struct ll_event e;
	double w, plot_w;
	char *svg;
	int ret;

	feed(h, ev(EV_FORK, T0 + 100 * MS, 200, 100, "sh"));
	feed(h, ev(EV_EXEC, T0 + 110 * MS, 200, 100, "we<ird&\"name"));
	e = ev(EV_EXIT, T0 + 200 * MS, 200, 100, "we<ird&\"name");
	e.exit.status = 2 << 8;
	e.exit.zombie = true;
	feed(h, e);
	e = ev(EV_REAP, T0 + 500 * MS, 200, 100, "x");
	e.reap.reaper_pid = 100;
	feed(h, e);
	history_stall(h, 100, 101, "sh", T0 + 600 * MS, 100 * MS, "futex");
	history_end(h, T0 + 1000 * MS);
	svg = render(h, 0, &ret);
	ASSERT_EQ(ret, 0, "written");
	ASSERT_TRUE(balanced(svg), "well-formed");
	ASSERT_TRUE(strstr(svg, "data-duration-us=\"1000000\"") != NULL, "duration");
	ASSERT_TRUE(strstr(svg, "<g class=\"proc\" data-pid=\"200\" data-ppid=\"100\" "
			   "data-comm=\"we&lt;ird&amp;&quot;name\" data-old-comm=\"sh\" "
			   "data-start-us=\"100000\" data-exit-us=\"200000\" "
			   "data-reap-us=\"500000\" data-exit-code=\"2\">") != NULL, "child's attributes");
	ASSERT_TRUE(strstr(svg, "<g class=\"proc\" data-pid=\"100\" data-comm=\"sh\">") != NULL,
		    "unknown times and parent left out");
	ASSERT_TRUE(strstr(svg, ">exit 2</text>") != NULL, "exit label");
	ASSERT_TRUE(strstr(svg, "sh -c &#39;a &amp;&amp; b&#39;") != NULL, "title quoted like a shell");
	plot_w = attr_after(svg, "<svg ", "data-plot-width=\"");
	w = attr_after(svg, "class=\"zombie\" x=", "width=\"");
	ASSERT_TRUE(w > plot_w * 0.299 && w < plot_w * 0.301, "zombie 300 ms of 1 s wide");
	w = attr_after(svg, "class=\"stall\" data-start-us=\"600000\" data-dur-us=\"100000\" "
		       "data-syscall=\"futex\"", "width=\"");
	ASSERT_TRUE(w > plot_w * 0.099 && w < plot_w * 0.101, "stall 100 ms of 1 s wide");
	ASSERT_TRUE(strstr(svg, "class=\"loop\" data-pid=\"100\" data-tid=\"101\"") != NULL,
		    "loop row");
	ASSERT_TRUE(strstr(svg, ">500 ms</text>") != NULL, "ms ticks on a 1 s axis");
	free(svg);
	history_free(h);
}

static void test_ticks_across_scales(void)
{
	static const struct {
		uint64_t span_ns;
		const char *tick;
	} cases[] = {
		{ 300000, ">100 µs<" },
		{ 45 * MS, ">20 ms<" },
		{ 12000 * MS, ">10 s<" },
		{ 300000 * MS, ">1:00<" },
		{ 7200000 * MS, ">30:00<" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct history *h = history_new(&(struct history_cfg){ .start_ns = T0 });
		char *svg;
		int ret, n = 0;
		const char *p;

		feed(h, ev(EV_FORK, T0 + 1000, 200, 100, "x"));
		history_end(h, T0 + cases[i].span_ns);
		svg = render(h, 0, &ret);
		ASSERT_TRUE(strstr(svg, cases[i].tick) != NULL, cases[i].tick);
		for (p = svg; (p = strstr(p, "class=\"tick\"")); p++)
			n++;
		ASSERT_TRUE(n >= 3 && n <= 11, "3 to 11 ticks");
		free(svg);
		history_free(h);
	}
}

static void test_folded_row(void)
{
	struct history *h = history_new(&(struct history_cfg){ .start_ns = T0 });
	struct ll_event e;
	uint32_t pid;
	char *svg;
	int ret, n = 0;
	const char *p;

	for (pid = 10; pid < 30; pid++) {
		feed(h, ev(EV_FORK, T0 + pid * MS, pid, 0, "c"));
		e = ev(EV_EXIT, T0 + pid * MS + 1000, pid, 0, "c");
		e.exit.zombie = true;
		feed(h, e);
		feed(h, ev(EV_REAP, T0 + pid * MS + 2000, pid, 0, "c"));
	}
	svg = render(h, 5, &ret);
	for (p = svg; (p = strstr(p, "class=\"proc\"")); p++)
		n++;
	ASSERT_EQ(n, 5, "five rows drawn");
	ASSERT_TRUE(strstr(svg, "<g class=\"folded\" data-count=\"15\"") != NULL, "15 folded");
	ASSERT_TRUE(balanced(svg), "well-formed");
	free(svg);
	history_free(h);
}

static void test_write_error(void)
{
	struct history *h = history_new(&(struct history_cfg){ .start_ns = T0 });
	FILE *f = fopen("/dev/full", "w");

	if (!ASSERT_TRUE(f != NULL, "/dev/full"))
		return;
	setvbuf(f, NULL, _IONBF, 0);
	ASSERT_EQ(render_svg(f, h, &(struct svg_opts){ 0 }), -EIO, "a full disk is an error");
	fclose(f);
	history_free(h);
}

int main(void)
{
	RUN_TEST(test_escape);
	RUN_TEST(test_chart_attributes_and_geometry);
	RUN_TEST(test_ticks_across_scales);
	RUN_TEST(test_folded_row);
	RUN_TEST(test_write_error);
	return TEST_MAIN_END();
}
