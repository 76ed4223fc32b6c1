## fcgi/local.mk -- one FastCGI program per REST route group.
## Adding a group: add its name to FCGI_GROUPS, write fcgi/<group>.c,
## add a location to conf/nginx/iocagg.conf.in and a section to
## man/iocagg-fcgi.8.
FCGI_GROUPS = health indicatorkinds users requests providers sources ignorelists secrets apitokens config stats notifications favicon auth docs runners

pkglibexec_PROGRAMS += fcgi/iocagg-health fcgi/iocagg-indicatorkinds \
	fcgi/iocagg-users fcgi/iocagg-requests \
	fcgi/iocagg-providers \
	fcgi/iocagg-sources \
	fcgi/iocagg-ignorelists \
	fcgi/iocagg-secrets \
	fcgi/iocagg-apitokens \
	fcgi/iocagg-config \
	fcgi/iocagg-stats \
	fcgi/iocagg-notifications \
	fcgi/iocagg-favicon \
	fcgi/iocagg-auth \
	fcgi/iocagg-docs \
	fcgi/iocagg-runners

FCGI_CFLAGS_ALL = $(AM_CFLAGS) $(FCGI_CFLAGS) $(PQ_CFLAGS) \
	$(JSONC_CFLAGS) $(HIREDIS_CFLAGS)

fcgi_iocagg_health_SOURCES = fcgi/health.c
fcgi_iocagg_health_CFLAGS = $(FCGI_CFLAGS_ALL)
fcgi_iocagg_health_LDADD = $(IOCAGG_LIBS)

fcgi_iocagg_indicatorkinds_SOURCES = fcgi/indicatorkinds.c
fcgi_iocagg_indicatorkinds_CFLAGS = $(FCGI_CFLAGS_ALL)
fcgi_iocagg_indicatorkinds_LDADD = $(IOCAGG_LIBS)

fcgi_iocagg_users_SOURCES = fcgi/users.c
fcgi_iocagg_users_CFLAGS = $(FCGI_CFLAGS_ALL)
fcgi_iocagg_users_LDADD = $(IOCAGG_LIBS)

fcgi_iocagg_requests_SOURCES = fcgi/requests.c
fcgi_iocagg_requests_CFLAGS = $(FCGI_CFLAGS_ALL) $(CURL_CFLAGS)
fcgi_iocagg_requests_LDADD = $(IOCAGG_LIBS) $(RUNNER_CLIENT_LIBS)

fcgi_iocagg_providers_SOURCES = fcgi/providers.c
fcgi_iocagg_providers_CFLAGS = $(FCGI_CFLAGS_ALL) $(CURL_CFLAGS)
fcgi_iocagg_providers_LDADD = $(IOCAGG_LIBS)

fcgi_iocagg_sources_SOURCES = fcgi/sources.c
fcgi_iocagg_sources_CFLAGS = $(FCGI_CFLAGS_ALL) $(CURL_CFLAGS)
fcgi_iocagg_sources_LDADD = $(IOCAGG_LIBS) $(RUNNER_CLIENT_LIBS)

fcgi_iocagg_ignorelists_SOURCES = fcgi/ignorelists.c
fcgi_iocagg_ignorelists_CFLAGS = $(FCGI_CFLAGS_ALL) $(CURL_CFLAGS)
fcgi_iocagg_ignorelists_LDADD = $(IOCAGG_LIBS)

fcgi_iocagg_secrets_SOURCES = fcgi/secrets.c
fcgi_iocagg_secrets_CFLAGS = $(FCGI_CFLAGS_ALL) $(CURL_CFLAGS)
fcgi_iocagg_secrets_LDADD = $(IOCAGG_LIBS)

fcgi_iocagg_apitokens_SOURCES = fcgi/apitokens.c
fcgi_iocagg_apitokens_CFLAGS = $(FCGI_CFLAGS_ALL) $(CURL_CFLAGS)
fcgi_iocagg_apitokens_LDADD = $(IOCAGG_LIBS)

fcgi_iocagg_config_SOURCES = fcgi/config.c
fcgi_iocagg_config_CFLAGS = $(FCGI_CFLAGS_ALL) $(CURL_CFLAGS)
fcgi_iocagg_config_LDADD = $(IOCAGG_LIBS)

fcgi_iocagg_stats_SOURCES = fcgi/stats.c
fcgi_iocagg_stats_CFLAGS = $(FCGI_CFLAGS_ALL) $(CURL_CFLAGS)
fcgi_iocagg_stats_LDADD = $(IOCAGG_LIBS)

fcgi_iocagg_notifications_SOURCES = fcgi/notifications.c
fcgi_iocagg_notifications_CFLAGS = $(FCGI_CFLAGS_ALL) $(CURL_CFLAGS)
fcgi_iocagg_notifications_LDADD = $(IOCAGG_LIBS)

fcgi_iocagg_favicon_SOURCES = fcgi/favicon.c
fcgi_iocagg_favicon_CFLAGS = $(FCGI_CFLAGS_ALL) $(CURL_CFLAGS)
fcgi_iocagg_favicon_LDADD = $(IOCAGG_LIBS)

fcgi_iocagg_auth_SOURCES = fcgi/auth.c
fcgi_iocagg_auth_CFLAGS = $(FCGI_CFLAGS_ALL) $(CURL_CFLAGS)
fcgi_iocagg_auth_LDADD = $(IOCAGG_LIBS)

fcgi_iocagg_docs_SOURCES = fcgi/docs.c
fcgi_iocagg_docs_CFLAGS = $(FCGI_CFLAGS_ALL) $(CURL_CFLAGS)
fcgi_iocagg_docs_LDADD = $(IOCAGG_LIBS)

# The runners' status stream: a gRPC client of both runners.
fcgi_iocagg_runners_SOURCES = fcgi/runners.c
fcgi_iocagg_runners_CFLAGS = $(FCGI_CFLAGS_ALL) $(GRPC_CFLAGS) \
	$(PROTOBUFC_CFLAGS)
fcgi_iocagg_runners_LDADD = $(IOCAGG_LIBS) $(RUNNER_CLIENT_LIBS)
$(fcgi_iocagg_runners_OBJECTS): $(PROTO_H)
