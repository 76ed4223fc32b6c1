/*
 * fcgi/docs.c -- iocagg-docs: the /api/v1/docs route group, the API
 * documentation.  Public.  Serves a few static files (the OpenAPI
 * document and a small viewer) from PKGDATADIR/docs, or from the
 * directory named by IOCAGG_DOCS_DIR.  Each file is read at request
 * time, so a new document needs no restart.  See iocagg-docs(8).
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "http.h"
#include "xmalloc.h"

#define DOCS_DIR	PKGDATADIR "/docs"
#define FILE_MAX	(4 * 1024 * 1024)	/* largest file served */

static void	docs_index(struct req *);
static void	docs_openapi(struct req *);
static void	docs_js(struct req *);
static void	docs_css(struct req *);

static const struct route routes[] = {
	{ METHOD_GET, "/api/v1/docs", docs_index, NULL, ROUTE_PUBLIC },
	{ METHOD_GET, "/api/v1/docs/openapi.json", docs_openapi, NULL,
	    ROUTE_PUBLIC },
	{ METHOD_GET, "/api/v1/docs/docs.js", docs_js, NULL, ROUTE_PUBLIC },
	{ METHOD_GET, "/api/v1/docs/docs.css", docs_css, NULL,
	    ROUTE_PUBLIC },
};

/* Set once in main(), before any worker starts. */
static const char	*docs_dir = DOCS_DIR;

/*
 * Read "name" of the docs directory into a NUL-terminated buffer.
 * Returns 0, or an errno: ENOENT when the file is missing, EFBIG when
 * it is larger than FILE_MAX, EINVAL when it is not a regular text
 * file.
 */
static int
read_file(const char *name, char **out)
{
	char		 path[PATH_MAX];
	struct stat	 st;
	char		*buf;
	size_t		 got = 0;
	ssize_t		 n;
	int		 fd, rc;

	*out = NULL;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", docs_dir, name) >=
	    sizeof(path))
		return ENAMETOOLONG;
	/* O_NONBLOCK: a FIFO in its place must not hang the worker. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
		return errno;
	if (fstat(fd, &st) == -1) {
		rc = errno;
		(void)close(fd);
		return rc;
	}
	if (!S_ISREG(st.st_mode)) {
		(void)close(fd);
		return S_ISDIR(st.st_mode) ? ENOENT : EINVAL;
	}
	if (st.st_size > FILE_MAX) {
		(void)close(fd);
		return EFBIG;
	}
	/* A file that grows meanwhile is cut at the size seen here. */
	buf = xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			rc = errno;
			free(buf);
			(void)close(fd);
			return rc;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	(void)close(fd);
	buf[got] = '\0';
	/* http_text() sends a C string: a NUL inside would cut it. */
	if (memchr(buf, '\0', got) != NULL) {
		free(buf);
		return EINVAL;
	}
	*out = buf;
	return 0;
}

/*
 * Answer with the file "name" as "ctype".  200; 404 when the file is
 * missing; 500 when it cannot be read or is too large.
 */
static void
serve(struct req *r, const char *name, const char *ctype)
{
	char	*body;
	int	 rc;

	switch ((rc = read_file(name, &body))) {
	case 0:
		http_text(r, 200, ctype, body);
		free(body);
		return;
	case ENOENT:
	case ENOTDIR:
		http_error(r, 404, "not_found", "%s is not installed", name);
		return;
	case EFBIG:
		http_error(r, 500, "internal", "%s is larger than %d bytes",
		    name, FILE_MAX);
		return;
	default:
		http_error(r, 500, "internal", "cannot read %s: %s", name,
		    strerror(rc));
		return;
	}
}

/* GET /api/v1/docs -- the documentation viewer (HTML). */
static void
docs_index(struct req *r)
{
	serve(r, "index.html", "text/html; charset=utf-8");
}

/* GET /api/v1/docs/openapi.json -- the OpenAPI 3.1 document. */
static void
docs_openapi(struct req *r)
{
	serve(r, "openapi.json", "application/json");
}

/* GET /api/v1/docs/docs.js -- the viewer's script. */
static void
docs_js(struct req *r)
{
	serve(r, "docs.js", "text/javascript; charset=utf-8");
}

/* GET /api/v1/docs/docs.css -- the viewer's style sheet. */
static void
docs_css(struct req *r)
{
	serve(r, "docs.css", "text/css; charset=utf-8");
}

int
main(int argc, char *argv[])
{
	static const struct fcgi_prog prog = {
		"iocagg-docs", routes, nitems(routes), 0, 1
	};
	const char	*dir;

	if ((dir = secure_getenv("IOCAGG_DOCS_DIR")) != NULL && *dir != '\0')
		docs_dir = dir;
	return fcgi_main(argc, argv, &prog);
}
