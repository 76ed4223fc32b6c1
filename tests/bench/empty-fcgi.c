/*
 * tests/bench/empty-fcgi.c -- the baseline of the cached-throughput
 * benchmark (docs/benchmarks.md): the cheapest possible FastCGI
 * responder, answering "{}" to every request.  Not part of the build;
 * tools/bench compiles it into its own temporary folder:
 *
 *	gcc -O2 -o empty-fcgi empty-fcgi.c $(pkg-config --cflags --libs fcgi)
 *	empty-fcgi /path/to/socket [threads]
 *
 * One thread per concurrent connection keeps the comparison fair with
 * the threaded iocagg programs (default 16).
 */
#include <sys/stat.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <fcgiapp.h>

static int	listen_fd;

static void *
serve(void *arg)
{
	FCGX_Request	 rq;

	(void)arg;
	if (FCGX_InitRequest(&rq, listen_fd, 0) != 0)
		return NULL;
	while (FCGX_Accept_r(&rq) >= 0) {
		FCGX_PutS("Status: 200 OK\r\n"
		    "Content-Type: application/json\r\n\r\n{}", rq.out);
		FCGX_Finish_r(&rq);
	}
	return NULL;
}

int
main(int argc, char *argv[])
{
	pthread_t	*t;
	int		 i, n = 16;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: empty-fcgi socket [threads]\n");
		return 2;
	}
	if (argc == 3 && (n = atoi(argv[2])) < 1)
		n = 1;
	if (FCGX_Init() != 0) {
		fprintf(stderr, "empty-fcgi: FCGX_Init failed\n");
		return 1;
	}
	(void)unlink(argv[1]);
	if ((listen_fd = FCGX_OpenSocket(argv[1], 128)) < 0) {
		fprintf(stderr, "empty-fcgi: cannot listen on %s\n", argv[1]);
		return 1;
	}
	if (chmod(argv[1], 0660) == -1)
		perror("empty-fcgi: chmod");
	if ((t = calloc((size_t)n, sizeof(*t))) == NULL)
		return 1;
	for (i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, serve, NULL) != 0) {
			fprintf(stderr, "empty-fcgi: pthread_create failed\n");
			return 1;
		}
	for (i = 0; i < n; i++)
		(void)pthread_join(t[i], NULL);
	return 0;
}
