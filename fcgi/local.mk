## fcgi/local.mk -- one FastCGI program per REST route group.
## Adding a group: add its name to FCGI_GROUPS, write fcgi/<group>.c,
## add a location to conf/nginx/iocagg.conf.in and a section to
## man/iocagg-fcgi.8.
FCGI_GROUPS = health indicatorkinds users requests

pkglibexec_PROGRAMS += fcgi/iocagg-health fcgi/iocagg-indicatorkinds \
	fcgi/iocagg-users fcgi/iocagg-requests

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
fcgi_iocagg_requests_LDADD = $(IOCAGG_LIBS)
