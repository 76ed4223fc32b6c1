/*
 * runners/common/engine.h -- what a language engine provides to the
 * runner core.  The core (gRPC server, worker processes, limits,
 * seccomp) is shared by iocagg-python-runner and iocagg-js-runner; an
 * engine only knows how to compile and call user code.
 *
 * Engines run inside a sandboxed worker process: every function below
 * is called in that process, one call at a time, after the seccomp
 * filter is installed.  A crash, a hang or an allocation storm costs
 * the worker, which the core replaces; the engine need not defend
 * against them beyond returning errors it can see.
 */
#ifndef IOCAGG_ENGINE_H
#define IOCAGG_ENGINE_H

#include <stddef.h>

/* Outcome of a call, mapped by the core to a gRPC status. */
enum eng_res {
	ENG_OK,			/* *out holds the result */
	ENG_USER_ERROR,		/* exception/error in user code: INTERNAL */
	ENG_BAD_RESULT,		/* wrong return type: INTERNAL */
	ENG_NO_FUNCTION,	/* fetch_data/background_task missing */
	ENG_TIMEOUT,		/* the engine's own time check fired */
	ENG_NOMEM,		/* the engine's allocator refused */
};

/*
 * Services the core offers to user code through the engine, the same
 * names in both languages (see iocagg-sources(7)):
 *	http_get(url[, headers]) / http_post(url, body[, headers])
 *	secret(name)  -- this source's secrets only
 *	config(name)  -- this source's config values only
 *	log(message)
 */
struct eng_host {
	const char	*source_id;
	/* HTTP through libcurl with the call's deadline and size cap;
	 * returns 0 and sets *status and *body_out (xmalloc'd) or -1
	 * with *err. */
	int	(*http)(void *ctx, const char *method, const char *url,
		    const char *body, const char *const *headers,
		    long *status, char **body_out, size_t *len,
		    const char **err);
	const char *(*secret)(void *ctx, const char *name);
	const char *(*config)(void *ctx, const char *name);
	void	(*log)(void *ctx, const char *msg);
	void	*ctx;
};

struct engine {
	const char	*name;		/* "python", "javascript" */
	/* Once per worker, before the sandbox: load the interpreter. */
	int		(*init)(void);
	/* Compile "code" for "source_id" and keep it; replaces any older
	 * version.  0, or -1 with *err (xmalloc'd) for a syntax error. */
	int		(*load)(const char *source_id, const char *code,
			    char **err);
	void		(*unload)(const char *source_id);
	/*
	 * deadline_ms below is an absolute time on CLOCK_MONOTONIC in
	 * milliseconds (runner_now_ms() in core.h); the core kills a
	 * worker that overruns it, an engine may also check it itself.
	 *
	 * Call fetch_data(data, kind) of a loaded source.  On ENG_OK,
	 * *json is the result as JSON text (a str result becomes a JSON
	 * string; dict/list/object/array as they are), xmalloc'd.
	 * Otherwise *err describes the failure (xmalloc'd).
	 */
	enum eng_res	(*fetch)(const char *source_id, const char *data,
			    const char *kind, const struct eng_host *,
			    long long deadline_ms, char **json, char **err);
	/* Call background_task(); ENG_NO_FUNCTION when it has none. */
	enum eng_res	(*task)(const char *source_id,
			    const struct eng_host *, long long deadline_ms,
			    char **err);
};

extern const struct engine	engine_python;	/* runners/python/py.c */
extern const struct engine	engine_js;	/* runners/js/duk.c */

#endif
