// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * ll_floor OBJECT: loads every program of a BPF object, attaches each where its section says,
 * prints "attached N programs" and waits for SIGINT or SIGTERM. make bench runs it on
 * floor.bpf.o, the empty programs on lifeline's hooks.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj = NULL;
	struct bpf_program *prog;
	struct bpf_link *links[64];
	int n = 0, err = 1, i;

	if (argc != 2) {
		fprintf(stderr, "usage: ll_floor OBJECT\n");
		return 2;
	}
	libbpf_set_strict_mode(LIBBPF_STRICT_ALL);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "ll_floor: cannot open %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (bpf_object__load(obj)) {
		fprintf(stderr, "ll_floor: cannot load %s: %s\n", argv[1], strerror(errno));
		goto cleanup;
	}
	bpf_object__for_each_program(prog, obj) {
		if (n == (int)(sizeof(links) / sizeof(links[0]))) {
			fprintf(stderr, "ll_floor: more than %d programs\n", n);
			goto cleanup;
		}
		links[n] = bpf_program__attach(prog);
		if (!links[n]) {
			fprintf(stderr, "ll_floor: cannot attach %s: %s\n", bpf_program__name(prog),
				strerror(errno));
			goto cleanup;
		}
		n++;
	}
	printf("attached %d programs\n", n);
	fflush(stdout);
	while (!stop)
		pause();
	err = 0;
cleanup:
	for (i = 0; i < n; i++)
		bpf_link__destroy(links[i]);
	bpf_object__close(obj);
	return err;
}
