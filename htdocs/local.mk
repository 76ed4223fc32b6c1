## htdocs/local.mk -- the browser UI, served by NGINX as static files:
## index.html and the ES modules of htdocs/app (no build step; the
## libraries come from Debian's libjs-* packages, /usr/share/javascript).
htdocsdir = $(pkgdatadir)/htdocs
dist_htdocs_DATA = htdocs/index.html

# Every module, style sheet and dictionary of htdocs/app, found when
# make runs so that a new page needs no edit here; installed under
# $(htdocsdir)/app with their paths.
HTDOCS_APP = $(sort $(patsubst $(srcdir)/%,%,$(foreach d,app app/* app/*/* app/*/*/*,\
	$(wildcard $(srcdir)/htdocs/$(d)/*.js $(srcdir)/htdocs/$(d)/*.css \
	$(srcdir)/htdocs/$(d)/*.json))))
nobase_dist_pkgdata_DATA += $(HTDOCS_APP)
EXTRA_DIST += htdocs/app/README.md

# Installed, index.html names the modules under /app/v<version>-<hash
# of the UI's files>/, which NGINX serves with long-cache headers
# (conf/nginx/iocagg.conf.in): a new UI is a new URL.
install-data-hook: install-htdocs-version
install-htdocs-version:
	@v=$(VERSION)-$$(cd $(srcdir) && cat $(HTDOCS_APP) | sha256sum | cut -c1-10); \
	f="$(DESTDIR)$(htdocsdir)/index.html"; \
	echo "  UI assets under /app/v$$v/"; \
	$(SED) "s|\"/app/|\"/app/v$$v/|g" "$$f" > "$$f.tmp" && mv "$$f.tmp" "$$f"
.PHONY: install-htdocs-version

## The API documentation, served by iocagg-docs(8) from
## $(pkgdatadir)/docs (IOCAGG_DOCS_DIR overrides it).
apidocsdir = $(pkgdatadir)/docs
dist_apidocs_DATA = htdocs/api-docs/index.html htdocs/api-docs/docs.js \
	htdocs/api-docs/docs.css htdocs/api-docs/openapi.json
