/*
 * tests/bench/empty-fcgi.c -- the baseline of the cached-throughput
 * benchmark (docs/benchmarks.md): the cheapest possible FastCGI
 * responder, one accept loop answering "{}" to every request.  It is
 * not part of the autotools build; tools/bench compiles it into its own
 * temporary folder and runs it behind the bench stack's NGINX:
 *
 *	gcc -O2 -o empty-fcgi empty-fcgi.c $(pkg-config --cflags --libs fcgi)
 *	empty-fcgi /path/to/socket
 */
#include <sys/stat.h>

#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include <fcgiapp.h>

int
main(int argc, char *argv[])
{
	FCGX_Request	 rq;
	int		 fd;

	if (argc != 2) {
		fprintf(stderr, "usage: empty-fcgi socket\n");
		return 2;
	}
	if (FCGX_Init() != 0) {
		fprintf(stderr, "empty-fcgi: FCGX_Init failed\n");
		return 1;
	}
	/* libfcgi makes SIGTERM a "finish the next request" flag: plain. */
	(void)signal(SIGTERM, SIG_DFL);
	(void)unlink(argv[1]);
	if ((fd = FCGX_OpenSocket(argv[1], 128)) < 0) {
		fprintf(stderr, "empty-fcgi: cannot listen on %s\n", argv[1]);
		return 1;
	}
	if (chmod(argv[1], 0660) == -1)
		perror("empty-fcgi: chmod");
	if (FCGX_InitRequest(&rq, fd, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&rq) >= 0) {
		FCGX_PutS("Status: 200 OK\r\n"
		    "Content-Type: application/json\r\n\r\n{}", rq.out);
		FCGX_Finish_r(&rq);
	}
	return 0;
}
