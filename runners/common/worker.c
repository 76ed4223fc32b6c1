/*
 * runners/common/worker.c -- the job loop of a worker process and the
 * host API its engine hands to user code (struct eng_host): HTTP
 * through libcurl, this call's secrets and config values, and log
 * lines that the core writes to the runner's log.
 *
 * A worker runs inside its sandbox (sandbox.c), bound to one source,
 * one job at a time.  Secrets live only in the job being served and
 * are wiped when it ends.
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "compat.h"
#include "engine.h"
#include "extern.h"
#include "proto/worker.pb-c.h"

#define CA_MAX		(16 * 1024 * 1024)
#define DEFAULT_CA	"/etc/ssl/certs/ca-certificates.crt"

/* The TLS trust store, read before the sandbox (see worker_preload). */
static struct curl_blob	 ca_blob;

/* What the host API of one job needs. */
struct hctx {
	int		 fd;		/* the socket to the core */
	Worker__Job	*job;		/* the job being served */
	int		 nlogs;		/* log() lines sent for it */
	char		 curl_err[CURL_ERROR_SIZE];
	char		 err[CURL_ERROR_SIZE + 64];
};

/* An HTTP answer being read, capped at rset.http_max. */
struct hbody {
	char		*buf;
	size_t		 len;
	size_t		 cap;
	int		 over;		/* the cap was reached */
	int		 nomem;
};

/*
 * In the zygote, before any worker exists: read the CA bundle libcurl
 * would open, so HTTPS works even where a worker may open no file.
 * Failure only logs: libcurl then reads the file itself.
 */
void
worker_preload(void)
{
	const curl_version_info_data	*vi;
	const char			*path = NULL;
	struct stat			 st;
	char				*buf = NULL;
	ssize_t				 r;
	size_t				 n = 0;
	int				 fd;

	vi = curl_version_info(CURLVERSION_NOW);
	if (vi != NULL && vi->age >= 7 && vi->cainfo != NULL)
		path = vi->cainfo;
	if (path == NULL)
		path = DEFAULT_CA;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return;
	if (fstat(fd, &st) == -1 || st.st_size <= 0 || st.st_size > CA_MAX ||
	    (buf = malloc((size_t)st.st_size)) == NULL)
		goto out;
	while (n < (size_t)st.st_size) {
		if ((r = read(fd, buf + n, (size_t)st.st_size - n)) <= 0) {
			if (r == -1 && errno == EINTR)
				continue;
			break;
		}
		n += (size_t)r;
	}
	if (n == (size_t)st.st_size) {
		ca_blob.data = buf;
		ca_blob.len = n;
		ca_blob.flags = CURL_BLOB_NOCOPY;
		buf = NULL;
	}
out:
	free(buf);
	(void)close(fd);
}

static size_t
on_body(char *p, size_t size, size_t nmemb, void *arg)
{
	struct hbody	*b = arg;
	size_t		 n = size * nmemb, ncap;
	char		*nb;

	if (n > (size_t)rset.http_max - b->len) {
		b->over = 1;
		return 0;
	}
	if (b->len + n + 1 > b->cap) {
		ncap = b->cap == 0 ? 16384 : b->cap;
		while (ncap < b->len + n + 1)
			ncap *= 2;
		if ((nb = realloc(b->buf, ncap)) == NULL) {
			b->nomem = 1;
			return 0;
		}
		b->buf = nb;
		b->cap = ncap;
	}
	memcpy(b->buf + b->len, p, n);
	b->len += n;
	b->buf[b->len] = '\0';
	return n;
}

/*
 * eng_host.http: one request within what is left of the job's
 * deadline.  Only http and https, at most 5 redirects, the answer
 * capped at rset.http_max bytes, through rset.proxy when set.
 */
static int
host_http(void *ctx, const char *method, const char *url, const char *body,
    const char *const *headers, long *status, char **body_out, size_t *len,
    const char **err)
{
	struct hctx		*h = ctx;
	struct hbody		 b;
	struct curl_slist	*hl = NULL, *nl;
	CURL			*c = NULL;
	CURLcode		 cc;
	long long		 left;
	long			 code = 0;
	int			 rc = -1;

	memset(&b, 0, sizeof(b));
	h->curl_err[0] = '\0';
	left = h->job->deadline_ms - runner_now_ms();
	if (left <= 0) {
		*err = "the call's deadline has passed";
		return -1;
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0) {
		*err = "only GET and POST are supported";
		return -1;
	}
	if ((c = curl_easy_init()) == NULL) {
		*err = "out of memory";
		return -1;
	}
	for (; headers != NULL && *headers != NULL; headers++) {
		if (strpbrk(*headers, "\r\n") != NULL) {
			*err = "a header holds a line break";
			goto out;
		}
		if ((nl = curl_slist_append(hl, *headers)) == NULL) {
			*err = "out of memory";
			goto out;
		}
		hl = nl;
	}
	(void)curl_easy_setopt(c, CURLOPT_URL, url);
	(void)curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	(void)curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	(void)curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	(void)curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	(void)curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)left);
	(void)curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	(void)curl_easy_setopt(c, CURLOPT_USERAGENT, rset.user_agent);
	(void)curl_easy_setopt(c, CURLOPT_PROXY, rset.proxy);
	(void)curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	(void)curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->curl_err);
	(void)curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)rset.http_max);
	(void)curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	(void)curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	if (ca_blob.data != NULL)
		(void)curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &ca_blob);
	if (hl != NULL)
		(void)curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	if (strcmp(method, "POST") == 0) {
		(void)curl_easy_setopt(c, CURLOPT_POSTFIELDS,
		    body == NULL ? "" : body);
		(void)curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)(body == NULL ? 0 : strlen(body)));
	}

	if ((cc = curl_easy_perform(c)) != CURLE_OK) {
		if (b.over || cc == CURLE_FILESIZE_EXCEEDED)
			(void)snprintf(h->err, sizeof(h->err), "the answer is "
			    "larger than %lld bytes", rset.http_max);
		else if (b.nomem)
			(void)snprintf(h->err, sizeof(h->err),
			    "out of memory");
		else
			(void)snprintf(h->err, sizeof(h->err), "%s",
			    h->curl_err[0] != '\0' ? h->curl_err :
			    curl_easy_strerror(cc));
		*err = h->err;
		goto out;
	}
	(void)curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (b.buf == NULL && (b.buf = calloc(1, 1)) == NULL) {
		*err = "out of memory";
		goto out;
	}
	*status = code;
	*body_out = b.buf;
	*len = b.len;
	b.buf = NULL;
	rc = 0;
out:
	free(b.buf);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	return rc;
}

/* eng_host.secret and eng_host.config: this job's maps only. */
static const char *
host_secret(void *ctx, const char *name)
{
	struct hctx	*h = ctx;
	size_t		 i;

	for (i = 0; i < h->job->n_secrets; i++)
		if (strcmp(h->job->secrets[i]->key, name) == 0)
			return h->job->secrets[i]->value;
	return NULL;
}

static const char *
host_config(void *ctx, const char *name)
{
	struct hctx	*h = ctx;
	size_t		 i;

	for (i = 0; i < h->job->n_config; i++)
		if (strcmp(h->job->config[i]->key, name) == 0)
			return h->job->config[i]->value;
	return NULL;
}

/* eng_host.log: at most LOG_LINES_MAX lines per job, each cut short. */
static void
host_log(void *ctx, const char *msg)
{
	struct hctx	*h = ctx;
	Worker__Msg	 m = WORKER__MSG__INIT;
	char		 line[LOG_LINE_MAX + 1];

	if (h->nlogs > LOG_LINES_MAX)
		return;
	if (h->nlogs++ == LOG_LINES_MAX)
		(void)strlcpy(line, "(more log lines of this call dropped)",
		    sizeof(line));
	else
		(void)strlcpy(line, msg, sizeof(line));
	m.type = WORKER__MSG__TYPE__LOG;
	m.text = line;
	if (wire_send(h->fd, &m.base) == -1)
		_exit(0);		/* the core is gone */
}

static long long
cpu_ms(void)
{
	struct rusage	 ru;

	if (getrusage(RUSAGE_SELF, &ru) == -1)
		return 0;
	return (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
	    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
}

static void
job_wipe(Worker__Job *job)
{
	size_t	 i;

	for (i = 0; i < job->n_secrets; i++)
		explicit_bzero(job->secrets[i]->value,
		    strlen(job->secrets[i]->value));
}

/*
 * Serve jobs from the core on "fd" until it closes the socket.  Each
 * job gets exactly one RESULT, after any LOG messages.
 */
void
worker_main(int fd)
{
	struct hctx	 h;
	struct eng_host	 host;
	Worker__Job	*job;
	Worker__Msg	 r;
	unsigned char	*buf;
	size_t		 len;
	char		*json, *err;
	int		 res;

	memset(&h, 0, sizeof(h));
	memset(&host, 0, sizeof(host));
	h.fd = fd;
	host.http = host_http;
	host.secret = host_secret;
	host.config = host_config;
	host.log = host_log;
	host.ctx = &h;

	for (;;) {
		if ((buf = wire_read(fd, JOB_MAX, &len)) == NULL)
			_exit(0);
		job = worker__job__unpack(NULL, len, buf);
		explicit_bzero(buf, len);
		free(buf);
		if (job == NULL)
			_exit(3);

		json = err = NULL;
		h.job = job;
		h.nlogs = 0;
		host.source_id = job->source;
		switch (job->type) {
		case WORKER__JOB__TYPE__LOAD:
			res = reng->load(job->source, job->code, &err) == 0 ?
			    ENG_OK : ENG_USER_ERROR;
			break;
		case WORKER__JOB__TYPE__FETCH:
			res = reng->fetch(job->source, job->data, job->kind,
			    &host, job->deadline_ms, &json, &err);
			if (res == ENG_OK && (json == NULL ||
			    strlen(json) > (size_t)rset.output_max)) {
				res = json == NULL ? ENG_BAD_RESULT :
				    RES_TOO_BIG;
				free(json);
				json = NULL;
			}
			break;
		case WORKER__JOB__TYPE__TASK:
			res = reng->task(job->source, &host, job->deadline_ms,
			    &err);
			break;
		default:
			res = ENG_USER_ERROR;
			break;
		}
		job_wipe(job);
		worker__job__free_unpacked(job, NULL);
		h.job = NULL;

		worker__msg__init(&r);
		r.type = WORKER__MSG__TYPE__RESULT;
		r.res = res;
		r.text = err != NULL ? err : (char *)"";
		r.json = json != NULL ? json : (char *)"";
		r.cpu_ms = cpu_ms();
		if (wire_send(fd, &r.base) == -1) {
			/* Most likely no memory for a copy of the result. */
			r.res = ENG_NOMEM;
			r.json = (char *)"";
			if (wire_send(fd, &r.base) == -1)
				_exit(0);
		}
		free(json);
		free(err);
	}
}
