/*
 * runners/python/py.c -- engine_python: sources written in Python,
 * run by an embedded CPython (Debian's, "pkg-config python3-embed").
 *
 * The interpreter is started once, in the runner's zygote, from
 * PyConfig_InitIsolatedConfig() (no PYTHON* variables, no user site,
 * no signal handlers) with program_name /usr/bin/python3 and no site
 * import: user code sees the standard library only.  Common modules
 * are imported then, so workers share them and an import costs
 * nothing (and still works where a worker may open no file).  Workers
 * are forked from it (PyOS_*Fork hooks keep CPython consistent).
 *
 * Each source's code is compiled once per worker into its own module
 * with a fresh namespace (Py_CompileString, then the module body runs
 * once).  fetch_data(indicator_data, indicator_kind) may return a str,
 * a dict or a list; the result goes back as JSON text made by the json
 * module (a str becomes a JSON string; NaN and infinities are refused).
 * background_task() is optional.  Exceptions become ENG_USER_ERROR
 * with "Type: message (line N)", MemoryError ENG_NOMEM.
 *
 * User code reaches the runner through the built-in module "iocagg":
 *	http_get(url, headers=None) -> (status, text)
 *	http_post(url, body, headers=None) -> (status, text)
 *	secret(name) -> str or None	config(name) -> str or None
 *	log(message)
 * headers is a dict of names to values or a list of "Name: value"
 * strings; body a str or bytes.  Failures raise iocagg.Error.
 */
#include "config.h"

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "xmalloc.h"

/* One loaded source. */
struct pysrc {
	char		*id;
	char		 fname[300];	/* "<source ID>" (tracebacks) */
	PyObject	*mod;
	PyObject	*dict;		/* borrowed from mod */
	struct pysrc	*next;
};

static struct pysrc		*srcs;
static PyObject			*json_dumps;	/* json.dumps */
static PyObject			*json_kw;	/* its keywords */
static PyObject			*iocagg_error;	/* iocagg.Error */
static const struct eng_host	*cur;		/* during a call */

/* Imported at start-up; missing ones are skipped. */
static const char *const preload[] = {
	"iocagg", "json", "re", "base64", "binascii", "hashlib", "hmac",
	"datetime", "time", "calendar", "math", "random", "string",
	"struct", "collections", "itertools", "functools", "operator",
	"copy", "enum", "typing", "dataclasses", "decimal", "fractions",
	"statistics", "ipaddress", "urllib.parse", "html", "html.parser",
	"xml.etree.ElementTree", "csv", "io", "textwrap", "unicodedata",
	"uuid", "zlib", "gzip", "traceback", "fnmatch", "bisect", "heapq",
	"secrets", "email.utils", "zoneinfo",
};

/* --- the iocagg module ---------------------------------------------- */

static int
need_call(const char *fn)
{
	if (cur != NULL)
		return 0;
	PyErr_Format(iocagg_error, "iocagg.%s() is available only while "
	    "fetch_data() or background_task() runs", fn);
	return -1;
}

static void
free_headers(char **h)
{
	size_t	 i;

	if (h == NULL)
		return;
	for (i = 0; h[i] != NULL; i++)
		free(h[i]);
	free(h);
}

/*
 * Python headers (None, a dict, or a sequence of "Name: value") as a
 * NULL-terminated array; *out NULL for none.  0, or -1 with an
 * exception set.
 */
static int
conv_headers(PyObject *o, char ***out)
{
	PyObject	*seq = NULL, *k, *v;
	Py_ssize_t	 i, n, pos = 0;
	const char	*ks, *vs;
	char		**h;

	*out = NULL;
	if (o == NULL || o == Py_None)
		return 0;
	if (PyDict_Check(o)) {
		n = PyDict_Size(o);
		h = xcalloc((size_t)n + 1, sizeof(*h));
		i = 0;
		while (PyDict_Next(o, &pos, &k, &v)) {
			if ((ks = PyUnicode_Check(k) ? PyUnicode_AsUTF8(k) :
			    NULL) == NULL || (vs = PyUnicode_Check(v) ?
			    PyUnicode_AsUTF8(v) : NULL) == NULL) {
				if (!PyErr_Occurred())
					PyErr_SetString(PyExc_TypeError,
					    "header names and values must be "
					    "str");
				free_headers(h);
				return -1;
			}
			(void)xasprintf(&h[i++], "%s: %s", ks, vs);
		}
		*out = h;
		return 0;
	}
	if ((seq = PySequence_Fast(o, "headers must be a dict or a list of "
	    "\"Name: value\" strings")) == NULL)
		return -1;
	n = PySequence_Fast_GET_SIZE(seq);
	h = xcalloc((size_t)n + 1, sizeof(*h));
	for (i = 0; i < n; i++) {
		v = PySequence_Fast_GET_ITEM(seq, i);
		if ((vs = PyUnicode_Check(v) ? PyUnicode_AsUTF8(v) : NULL) ==
		    NULL) {
			if (!PyErr_Occurred())
				PyErr_SetString(PyExc_TypeError, "a header "
				    "must be a \"Name: value\" str");
			free_headers(h);
			Py_DECREF(seq);
			return -1;
		}
		h[i] = xstrdup(vs);
	}
	Py_DECREF(seq);
	*out = h;
	return 0;
}

static PyObject *
do_http(const char *method, const char *url, const char *body,
    PyObject *headers)
{
	PyObject	*r;
	char		**h = NULL, *out = NULL;
	const char	*err = NULL;
	size_t		 len = 0;
	long		 status = 0;
	int		 rc;

	if (conv_headers(headers, &h) == -1)
		return NULL;
	rc = cur->http(cur->ctx, method, url, body, (const char *const *)h,
	    &status, &out, &len, &err);
	free_headers(h);
	if (rc == -1) {
		PyErr_SetString(iocagg_error, err != NULL ? err :
		    "HTTP request failed");
		return NULL;
	}
	r = Py_BuildValue("(lN)", status, PyUnicode_DecodeUTF8(out,
	    (Py_ssize_t)len, "replace"));
	free(out);
	return r;
}

static PyObject *
py_http_get(PyObject *self, PyObject *args, PyObject *kw)
{
	static char	*kwlist[] = { "url", "headers", NULL };
	const char	*url;
	PyObject	*headers = NULL;

	(void)self;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "s|O:http_get", kwlist,
	    &url, &headers) || need_call("http_get") == -1)
		return NULL;
	return do_http("GET", url, NULL, headers);
}

static PyObject *
py_http_post(PyObject *self, PyObject *args, PyObject *kw)
{
	static char	*kwlist[] = { "url", "body", "headers", NULL };
	const char	*url, *body;
	PyObject	*bodyo, *headers = NULL;
	Py_ssize_t	 n;

	(void)self;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "sO|O:http_post", kwlist,
	    &url, &bodyo, &headers) || need_call("http_post") == -1)
		return NULL;
	if (PyUnicode_Check(bodyo)) {
		if ((body = PyUnicode_AsUTF8AndSize(bodyo, &n)) == NULL)
			return NULL;
	} else if (PyBytes_Check(bodyo)) {
		body = PyBytes_AS_STRING(bodyo);
		n = PyBytes_GET_SIZE(bodyo);
	} else {
		PyErr_SetString(PyExc_TypeError, "body must be str or bytes");
		return NULL;
	}
	if (strlen(body) != (size_t)n) {
		PyErr_SetString(PyExc_ValueError, "body holds a NUL byte");
		return NULL;
	}
	return do_http("POST", url, body, headers);
}

static PyObject *
lookup(PyObject *args, const char *fn,
    const char *(*get)(void *, const char *))
{
	const char	*name, *v;

	if (!PyArg_ParseTuple(args, "s", &name) || need_call(fn) == -1)
		return NULL;
	if ((v = get(cur->ctx, name)) == NULL)
		Py_RETURN_NONE;
	return PyUnicode_DecodeUTF8(v, (Py_ssize_t)strlen(v), "replace");
}

static PyObject *
py_secret(PyObject *self, PyObject *args)
{
	(void)self;
	if (cur == NULL)
		return need_call("secret"), NULL;
	return lookup(args, "secret", cur->secret);
}

static PyObject *
py_config(PyObject *self, PyObject *args)
{
	(void)self;
	if (cur == NULL)
		return need_call("config"), NULL;
	return lookup(args, "config", cur->config);
}

static PyObject *
py_log(PyObject *self, PyObject *args)
{
	PyObject	*o, *s;
	const char	*msg;

	(void)self;
	if (!PyArg_ParseTuple(args, "O:log", &o) || need_call("log") == -1)
		return NULL;
	if ((s = PyObject_Str(o)) == NULL)
		return NULL;
	if ((msg = PyUnicode_AsUTF8(s)) == NULL) {
		PyErr_Clear();
		msg = "(a message that is not valid text)";
	}
	cur->log(cur->ctx, msg);
	Py_DECREF(s);
	Py_RETURN_NONE;
}

static PyMethodDef iocagg_methods[] = {
	{ "http_get", (PyCFunction)(void (*)(void))py_http_get,
	    METH_VARARGS | METH_KEYWORDS,
	    "http_get(url, headers=None) -> (status, text)" },
	{ "http_post", (PyCFunction)(void (*)(void))py_http_post,
	    METH_VARARGS | METH_KEYWORDS,
	    "http_post(url, body, headers=None) -> (status, text)" },
	{ "secret", py_secret, METH_VARARGS,
	    "secret(name) -> this source's secret, or None" },
	{ "config", py_config, METH_VARARGS,
	    "config(name) -> this source's config value, or None" },
	{ "log", py_log, METH_VARARGS, "log(message): write to the runner's "
	    "log" },
	{ NULL, NULL, 0, NULL },
};

static struct PyModuleDef iocagg_module = {
	PyModuleDef_HEAD_INIT, "iocagg",
	"The host API of iocagg sources; see iocagg-python-runner(8).",
	-1, iocagg_methods, NULL, NULL, NULL, NULL,
};

static PyObject *
PyInit_iocagg(void)
{
	PyObject	*m;

	if ((m = PyModule_Create(&iocagg_module)) == NULL)
		return NULL;
	if (iocagg_error == NULL &&
	    (iocagg_error = PyErr_NewException("iocagg.Error", NULL,
	    NULL)) == NULL) {
		Py_DECREF(m);
		return NULL;
	}
	Py_INCREF(iocagg_error);
	if (PyModule_AddObject(m, "Error", iocagg_error) == -1) {
		Py_DECREF(iocagg_error);
		Py_DECREF(m);
		return NULL;
	}
	return m;
}

/* --- errors --------------------------------------------------------- */

/*
 * The pending exception as "Type: message (line N)", xmalloc'd; the
 * line is the last one of the source's own file in the traceback.
 * Clears the exception; *nomem says whether it was a MemoryError.
 */
static char *
exc_text(const char *fname, const char *prefix, int *nomem)
{
	PyObject	*type, *value, *tb, *t, *s = NULL, *f, *co, *fn, *ln;
	const char	*name, *msg = NULL;
	long		 line = -1;
	char		*out;

	PyErr_Fetch(&type, &value, &tb);
	PyErr_NormalizeException(&type, &value, &tb);
	if (nomem != NULL)
		*nomem = type != NULL &&
		    PyErr_GivenExceptionMatches(type, PyExc_MemoryError);
	name = type != NULL && PyType_Check(type) ?
	    ((PyTypeObject *)type)->tp_name : "exception";
	if (value != NULL && (s = PyObject_Str(value)) != NULL)
		msg = PyUnicode_AsUTF8(s);
	if (msg == NULL)
		PyErr_Clear();
	for (t = tb; t != NULL && t != Py_None; ) {
		f = PyObject_GetAttrString(t, "tb_frame");
		co = f != NULL ? PyObject_GetAttrString(f, "f_code") : NULL;
		fn = co != NULL ? PyObject_GetAttrString(co, "co_filename") :
		    NULL;
		if (fn != NULL && PyUnicode_Check(fn) &&
		    PyUnicode_CompareWithASCIIString(fn, fname) == 0 &&
		    (ln = PyObject_GetAttrString(t, "tb_lineno")) != NULL) {
			line = PyLong_AsLong(ln);
			Py_DECREF(ln);
		}
		Py_XDECREF(fn);
		Py_XDECREF(co);
		Py_XDECREF(f);
		PyErr_Clear();
		t = PyObject_GetAttrString(t, "tb_next");
		Py_XDECREF(t);		/* its parent still holds it */
		PyErr_Clear();
	}
	if (line > 0)
		(void)xasprintf(&out, "%s%s%s%s (line %ld)", prefix, name,
		    msg != NULL && *msg != '\0' ? ": " : "",
		    msg != NULL ? msg : "", line);
	else
		(void)xasprintf(&out, "%s%s%s%s", prefix, name,
		    msg != NULL && *msg != '\0' ? ": " : "",
		    msg != NULL ? msg : "");
	Py_XDECREF(s);
	Py_XDECREF(type);
	Py_XDECREF(value);
	Py_XDECREF(tb);
	PyErr_Clear();
	return out;
}

/* --- the engine ----------------------------------------------------- */

static void
fork_prepare(void)
{
	PyOS_BeforeFork();
}

static void
fork_parent(void)
{
	PyOS_AfterFork_Parent();
}

static void
fork_child(void)
{
	PyOS_AfterFork_Child();
}

static int
py_init(void)
{
	PyConfig	 cfg;
	PyStatus	 st;
	PyObject	*m;
	size_t		 i;

	if (PyImport_AppendInittab("iocagg", PyInit_iocagg) == -1)
		return -1;
	PyConfig_InitIsolatedConfig(&cfg);
	st = PyConfig_SetString(&cfg, &cfg.program_name, L"/usr/bin/python3");
	if (PyStatus_Exception(st))
		goto fail;
	cfg.site_import = 0;
	cfg.write_bytecode = 0;
	cfg.user_site_directory = 0;
	cfg.install_signal_handlers = 0;
	cfg.parse_argv = 0;
	st = Py_InitializeFromConfig(&cfg);
	if (PyStatus_Exception(st))
		goto fail;
	PyConfig_Clear(&cfg);

	for (i = 0; i < sizeof(preload) / sizeof(preload[0]); i++) {
		if ((m = PyImport_ImportModule(preload[i])) == NULL)
			PyErr_Clear();
		Py_XDECREF(m);
	}
	if ((m = PyImport_ImportModule("json")) == NULL ||
	    (json_dumps = PyObject_GetAttrString(m, "dumps")) == NULL ||
	    (json_kw = Py_BuildValue("{s:O,s:(ss)}", "allow_nan", Py_False,
	    "separators", ",", ":")) == NULL) {
		Py_XDECREF(m);
		PyErr_Print();
		return -1;
	}
	Py_DECREF(m);
	if (pthread_atfork(fork_prepare, fork_parent, fork_child) != 0)
		return -1;
	return 0;
fail:
	PyConfig_Clear(&cfg);
	(void)fprintf(stderr, "python: %s%s%s\n", st.func != NULL ? st.func :
	    "", st.func != NULL ? ": " : "", st.err_msg != NULL ? st.err_msg :
	    "cannot start the interpreter");
	return -1;
}

static struct pysrc *
find(const char *id)
{
	struct pysrc	*p;

	for (p = srcs; p != NULL; p = p->next)
		if (strcmp(p->id, id) == 0)
			return p;
	return NULL;
}

static void
py_unload(const char *id)
{
	struct pysrc	**pp, *p;

	for (pp = &srcs; (p = *pp) != NULL; pp = &p->next)
		if (strcmp(p->id, id) == 0) {
			*pp = p->next;
			Py_XDECREF(p->mod);
			free(p->id);
			free(p);
			return;
		}
}

/* Compile "code" and run its module body once; see engine.h. */
static int
py_load(const char *id, const char *code, char **err)
{
	struct pysrc	*p;
	PyObject	*co, *mod, *r, *mods;
	char		 name[300];
	size_t		 i;

	p = xcalloc(1, sizeof(*p));
	p->id = xstrdup(id);
	(void)snprintf(p->fname, sizeof(p->fname), "<source %s>", id);
	(void)snprintf(name, sizeof(name), "source_%s", id);
	for (i = 7; name[i] != '\0'; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= 'A' && name[i] <= 'Z') ||
		    (name[i] >= '0' && name[i] <= '9')))
			name[i] = '_';

	if ((co = Py_CompileString(code, p->fname, Py_file_input)) == NULL) {
		*err = exc_text(p->fname, "", NULL);
		goto fail;
	}
	if ((mod = PyModule_New(name)) == NULL) {
		Py_DECREF(co);
		*err = exc_text(p->fname, "", NULL);
		goto fail;
	}
	p->mod = mod;
	p->dict = PyModule_GetDict(mod);
	/* dataclasses and pickle look modules up by name. */
	if (PyDict_SetItemString(p->dict, "__builtins__",
	    PyEval_GetBuiltins()) == -1 ||
	    (mods = PyImport_GetModuleDict()) == NULL ||
	    PyDict_SetItemString(mods, name, mod) == -1) {
		Py_DECREF(co);
		*err = exc_text(p->fname, "", NULL);
		goto fail;
	}
	r = PyEval_EvalCode(co, p->dict, p->dict);
	Py_DECREF(co);
	if (r == NULL) {
		*err = exc_text(p->fname, "", NULL);
		goto fail;
	}
	Py_DECREF(r);
	py_unload(id);
	p->next = srcs;
	srcs = p;
	return 0;
fail:
	Py_XDECREF(p->mod);
	free(p->id);
	free(p);
	return -1;
}

/* The source's function "fn", or NULL with *res and *err set. */
static PyObject *
function(struct pysrc *p, const char *fn, const char *sig,
    enum eng_res *res, char **err)
{
	PyObject	*f;

	if (p == NULL) {
		*err = xstrdup("the source is not loaded");
		*res = ENG_USER_ERROR;
		return NULL;
	}
	if ((f = PyDict_GetItemString(p->dict, fn)) == NULL ||
	    !PyCallable_Check(f)) {
		(void)xasprintf(err, "the code defines no %s%s", fn, sig);
		*res = ENG_NO_FUNCTION;
		return NULL;
	}
	return f;
}

static enum eng_res
call_failed(struct pysrc *p, const char *fn, char **err)
{
	char	 prefix[64];
	int	 nomem;

	(void)snprintf(prefix, sizeof(prefix), "%s(): ", fn);
	*err = exc_text(p->fname, prefix, &nomem);
	return nomem ? ENG_NOMEM : ENG_USER_ERROR;
}

static enum eng_res
py_fetch(const char *id, const char *data, const char *kind,
    const struct eng_host *host, long long deadline_ms, char **json,
    char **err)
{
	struct pysrc	*p = find(id);
	PyObject	*f, *a = NULL, *b = NULL, *r = NULL, *args = NULL;
	PyObject	*j = NULL;
	const char	*s;
	Py_ssize_t	 n;
	enum eng_res	 res;
	int		 nomem;

	(void)deadline_ms;	/* the core kills a worker that overruns */
	if ((f = function(p, "fetch_data", "(indicator_data, "
	    "indicator_kind)", &res, err)) == NULL)
		return res;
	if ((a = PyUnicode_DecodeUTF8(data, (Py_ssize_t)strlen(data),
	    "replace")) == NULL || (b = PyUnicode_DecodeUTF8(kind,
	    (Py_ssize_t)strlen(kind), "replace")) == NULL) {
		res = call_failed(p, "fetch_data", err);
		goto out;
	}
	cur = host;
	r = PyObject_CallFunctionObjArgs(f, a, b, NULL);
	cur = NULL;
	if (r == NULL) {
		res = call_failed(p, "fetch_data", err);
		goto out;
	}
	if (!PyUnicode_Check(r) && !PyDict_Check(r) && !PyList_Check(r)) {
		(void)xasprintf(err, "fetch_data() must return str, dict or "
		    "list, not %s", Py_TYPE(r)->tp_name);
		res = ENG_BAD_RESULT;
		goto out;
	}
	if ((args = PyTuple_Pack(1, r)) == NULL ||
	    (j = PyObject_Call(json_dumps, args, json_kw)) == NULL) {
		*err = exc_text(p->fname, "the result of fetch_data() is not "
		    "JSON: ", &nomem);
		res = nomem ? ENG_NOMEM : ENG_BAD_RESULT;
		goto out;
	}
	if ((s = PyUnicode_AsUTF8AndSize(j, &n)) == NULL) {
		*err = exc_text(p->fname, "", &nomem);
		res = nomem ? ENG_NOMEM : ENG_BAD_RESULT;
		goto out;
	}
	/* Not xmalloc: near RLIMIT_AS this must fail, not abort. */
	if ((*json = malloc((size_t)n + 1)) == NULL) {
		*err = xstrdup("no memory for the result");
		res = ENG_NOMEM;
		goto out;
	}
	memcpy(*json, s, (size_t)n + 1);
	res = ENG_OK;
out:
	Py_XDECREF(j);
	Py_XDECREF(args);
	Py_XDECREF(r);
	Py_XDECREF(b);
	Py_XDECREF(a);
	PyErr_Clear();
	return res;
}

static enum eng_res
py_task(const char *id, const struct eng_host *host, long long deadline_ms,
    char **err)
{
	struct pysrc	*p = find(id);
	PyObject	*f, *r;
	enum eng_res	 res;

	(void)deadline_ms;
	if ((f = function(p, "background_task", "()", &res, err)) == NULL)
		return res;
	cur = host;
	r = PyObject_CallNoArgs(f);
	cur = NULL;
	if (r == NULL)
		return call_failed(p, "background_task", err);
	Py_DECREF(r);
	return ENG_OK;
}

const struct engine engine_python = {
	.name = "python",
	.init = py_init,
	.load = py_load,
	.unload = py_unload,
	.fetch = py_fetch,
	.task = py_task,
};
