## lib/local.mk -- libiocagg.a, the only shared code.
noinst_LIBRARIES += lib/libiocagg.a
lib_libiocagg_a_SOURCES = \
	lib/compat.c lib/compat.h \
	lib/xmalloc.c lib/xmalloc.h \
	lib/log.c lib/log.h \
	lib/conf.c lib/conf.h \
	lib/json.c lib/json.h \
	lib/http.c lib/http.h \
	lib/db.c lib/db.h \
	lib/kv.c lib/kv.h \
	lib/auth.c lib/auth.h \
	lib/nanoid.c lib/nanoid.h \
	lib/slug.c lib/slug.h \
	lib/indicator.c lib/indicator.h \
	lib/secret.c lib/secret.h \
	lib/srcsecrets.c lib/srcsecrets.h \
	lib/source.h lib/sources/registry.c lib/sources/list-web.h \
	lib/sources/list-abusech.h lib/sources/list-net.h lib/sources/list-feeds.h \
	lib/sources/virustotal.c lib/sources/abuseipdb.c \
	lib/sources/urlhaus.c lib/sources/http_json.c \
	lib/sources/framework.c \
	lib/store.c lib/store.h \
	lib/lookup.c lib/lookup.h \
	lib/jwt.c lib/jwt.h \
	lib/rest.c lib/rest.h \
	lib/runner.c lib/runner.h
lib_libiocagg_a_CFLAGS = $(AM_CFLAGS) $(FCGI_CFLAGS) $(PQ_CFLAGS) \
	$(HIREDIS_CFLAGS) $(JSONC_CFLAGS) $(SODIUM_CFLAGS) $(SYSTEMD_CFLAGS) \
	$(CURL_CFLAGS) $(OPENSSL_CFLAGS) $(GRPC_CFLAGS) $(PROTOBUFC_CFLAGS)
# lib/runner.c includes the generated proto/runner.pb-c.h.
$(lib_libiocagg_a_OBJECTS): $(PROTO_H)

# Everything a program linking libiocagg.a needs.
IOCAGG_LIBS = lib/libiocagg.a $(FCGI_LIBS) $(PQ_LIBS) $(HIREDIS_LIBS) \
	$(JSONC_LIBS) $(SODIUM_LIBS) $(SYSTEMD_LIBS) $(CURL_LIBS) $(OPENSSL_LIBS)

# What a program also needs when it talks to the runners over gRPC
# (lib/runner.c, and lib/lookup.c through it): after $(IOCAGG_LIBS).
# Only those programs link the gRPC core.
RUNNER_CLIENT_LIBS = proto/libproto.a $(GRPC_LIBS) $(PROTOBUFC_LIBS)
