## conf/local.mk -- the NGINX site, the systemd units and iocagg.conf.
## Units and the site are rendered from templates; the dev stack and the
## tests render the same templates with their own paths.

iocaggconfdir = $(sysconfdir)/iocagg
dist_iocaggconf_DATA = conf/iocagg.conf

nginxsitedir = $(sysconfdir)/nginx/sites-available
nginxsite_DATA = conf/nginx/iocagg.conf
EXTRA_DIST += conf/nginx/iocagg.conf.in conf/systemd/iocagg-fcgi.socket.in \
	conf/systemd/iocagg-fcgi.service.in conf/systemd/iocagg-runner.service.in \
	conf/systemd/iocagg-schedulerd.service.in
CLEANFILES += conf/nginx/iocagg.conf

# "route" is the URL segment each group answers.
route_health = health
route_indicatorkinds = indicatorKinds
route_users = users
route_requests = requests
route_providers = providers
route_sources = sources
route_ignorelists = ignoreLists
route_secrets = secrets
route_apitokens = apiTokens
route_config = config
route_stats = stats
route_notifications = notifications
route_favicon = favicon
route_auth = auth
route_docs = docs
route_runners = runners

conf/nginx/iocagg.conf: $(srcdir)/conf/nginx/iocagg.conf.in Makefile
	$(AM_V_GEN)$(MKDIR_P) conf/nginx && \
	$(SED) -e 's|@LISTEN@|80|g' -e 's|@RUNDIR@|/run/iocagg|g' \
	    -e 's|@HTDOCS@|$(pkgdatadir)/htdocs|g' -e 's|@BODYMAX@|1m|g' \
	    $(srcdir)/conf/nginx/iocagg.conf.in > $@.tmp && mv $@.tmp $@

FCGI_UNITS = $(foreach g,$(FCGI_GROUPS),conf/systemd/iocagg-$(g).socket \
	conf/systemd/iocagg-$(g).service)

# The runners: one service each (no socket unit: they listen
# themselves), from one template.
RUNNER_UNITS = conf/systemd/iocagg-python-runner.service \
	conf/systemd/iocagg-js-runner.service
lang_python = Python
lang_js = JavaScript
kind_python = python
kind_js = javascript

# The scheduler (iocagg-schedulerd(8)).
SCHEDULER_UNITS = conf/systemd/iocagg-schedulerd.service

if HAVE_SYSTEMD
systemdsystemunit_DATA = $(FCGI_UNITS) $(RUNNER_UNITS) $(SCHEDULER_UNITS)
endif
CLEANFILES += $(FCGI_UNITS) $(RUNNER_UNITS) $(SCHEDULER_UNITS)
all-local: $(FCGI_UNITS) $(RUNNER_UNITS) $(SCHEDULER_UNITS)

conf/systemd/iocagg-schedulerd.service: $(srcdir)/conf/systemd/iocagg-schedulerd.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) conf/systemd && \
	$(SED) -e 's|%SBINDIR%|$(sbindir)|g' \
	    -e 's|%SYSCONFDIR%|$(sysconfdir)|g' $< > $@.tmp && mv $@.tmp $@

$(RUNNER_UNITS): conf/systemd/iocagg-%-runner.service: $(srcdir)/conf/systemd/iocagg-runner.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) conf/systemd && \
	$(SED) -e 's|@PROG@|$*-runner|g' -e 's|@LANG@|$(lang_$*)|g' \
	    -e 's|@KIND@|$(kind_$*)|g' \
	    -e 's|@pkglibexecdir@|$(pkglibexecdir)|g' \
	    -e 's|%SBINDIR%|$(sbindir)|g' \
	    -e 's|%SYSCONFDIR%|$(sysconfdir)|g' $< > $@.tmp && mv $@.tmp $@

conf/systemd/iocagg-%.socket: $(srcdir)/conf/systemd/iocagg-fcgi.socket.in Makefile
	$(AM_V_GEN)$(MKDIR_P) conf/systemd && \
	$(SED) -e 's|@GROUP@|$*|g' -e 's|@ROUTE@|$(route_$*)|g' \
	    -e 's|@RUNDIR@|/run/iocagg|g' $< > $@.tmp && mv $@.tmp $@

conf/systemd/iocagg-%.service: $(srcdir)/conf/systemd/iocagg-fcgi.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) conf/systemd && \
	$(SED) -e 's|@GROUP@|$*|g' -e 's|@ROUTE@|$(route_$*)|g' \
	    -e 's|@pkglibexecdir@|$(pkglibexecdir)|g' \
	    -e 's|%SYSCONFDIR%|$(sysconfdir)|g' $< > $@.tmp && mv $@.tmp $@
