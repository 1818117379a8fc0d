// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "format.h"
#include "json.h"

void json_init(struct json_w *w, FILE *f)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
}

static uint64_t json_bit(const struct json_w *w)
{
	return w->depth < JSON_MAX_DEPTH ? 1ULL << w->depth : 0;
}

/* Before any value or key: a comma when the enclosing container already has a member. */
static void json_sep(struct json_w *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->nonempty & json_bit(w))
		fputc(',', w->f);
	w->nonempty |= json_bit(w);
}

static void json_open(struct json_w *w, char c)
{
	json_sep(w);
	fputc(c, w->f);
	w->depth++;
	w->nonempty &= ~json_bit(w);
}

static void json_close(struct json_w *w, char c)
{
	if (w->depth)
		w->depth--;
	fputc(c, w->f);
}

void json_obj_begin(struct json_w *w)
{
	json_open(w, '{');
}

void json_obj_end(struct json_w *w)
{
	json_close(w, '}');
}

void json_arr_begin(struct json_w *w)
{
	json_open(w, '[');
}

void json_arr_end(struct json_w *w)
{
	json_close(w, ']');
}

void json_newline(struct json_w *w)
{
	fputc('\n', w->f);
	w->depth = 0;
	w->after_key = false;
	w->nonempty = 0;
}

static void json_escape(FILE *f, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, len;

	fputc('"', f);
	while (i < n) {
		unsigned char c = p[i];

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			fputc(c, f);
			i++;
			continue;
		}
		switch (c) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		default:
			if (c < 0x80) {
				fprintf(f, "\\u%04x", c);	/* other controls and DEL */
				break;
			}
			len = fmt_utf8_len(p + i, n - i);
			if (!len) {
				fputs("\\ufffd", f);
				break;
			}
			fwrite(p + i, 1, len, f);
			i += len;
			continue;
		}
		i++;
	}
	fputc('"', f);
}

void json_key(struct json_w *w, const char *key)
{
	json_sep(w);
	json_escape(w->f, key, strlen(key));
	fputc(':', w->f);
	w->after_key = true;
}

void json_strn(struct json_w *w, const char *s, size_t n)
{
	json_sep(w);
	json_escape(w->f, s, n);
}

void json_str(struct json_w *w, const char *s)
{
	json_strn(w, s, strlen(s));
}

void json_u64(struct json_w *w, uint64_t v)
{
	json_sep(w);
	fprintf(w->f, "%" PRIu64, v);
}

void json_i64(struct json_w *w, int64_t v)
{
	json_sep(w);
	fprintf(w->f, "%" PRId64, v);
}

/* printf honours LC_NUMERIC; JSON wants a '.' whatever the locale. */
static void json_put_number(struct json_w *w, char *num)
{
	char *comma = strchr(num, ',');

	if (comma)
		*comma = '.';
	fputs(num, w->f);
}

void json_double(struct json_w *w, double v)
{
	char num[40];

	if (!isfinite(v)) {
		json_null(w);
		return;
	}
	json_sep(w);
	snprintf(num, sizeof(num), "%.15g", v);
	if (strtod(num, NULL) != v)
		snprintf(num, sizeof(num), "%.17g", v);
	json_put_number(w, num);
}

void json_fixed(struct json_w *w, double v, int decimals)
{
	char num[64];
	int n;

	if (!isfinite(v)) {
		json_null(w);
		return;
	}
	n = snprintf(num, sizeof(num), "%.*f", decimals, v);
	if (n < 0 || (size_t)n >= sizeof(num)) {
		json_double(w, v);	/* too large for fixed notation */
		return;
	}
	json_sep(w);
	json_put_number(w, num);
}

void json_bool(struct json_w *w, bool v)
{
	json_sep(w);
	fputs(v ? "true" : "false", w->f);
}

void json_null(struct json_w *w)
{
	json_sep(w);
	fputs("null", w->f);
}

void json_kv_str(struct json_w *w, const char *key, const char *s)
{
	json_key(w, key);
	json_str(w, s);
}

void json_kv_strn(struct json_w *w, const char *key, const char *s, size_t n)
{
	json_key(w, key);
	json_strn(w, s, n);
}

void json_kv_u64(struct json_w *w, const char *key, uint64_t v)
{
	json_key(w, key);
	json_u64(w, v);
}

void json_kv_i64(struct json_w *w, const char *key, int64_t v)
{
	json_key(w, key);
	json_i64(w, v);
}

void json_kv_double(struct json_w *w, const char *key, double v)
{
	json_key(w, key);
	json_double(w, v);
}

void json_kv_fixed(struct json_w *w, const char *key, double v, int decimals)
{
	json_key(w, key);
	json_fixed(w, v, decimals);
}

void json_kv_bool(struct json_w *w, const char *key, bool v)
{
	json_key(w, key);
	json_bool(w, v);
}

void json_kv_null(struct json_w *w, const char *key)
{
	json_key(w, key);
	json_null(w);
}
