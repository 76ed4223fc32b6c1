## htdocs/local.mk -- the browser UI, served by NGINX as static files.
htdocsdir = $(pkgdatadir)/htdocs
dist_htdocs_DATA = htdocs/index.html

## The API documentation, served by iocagg-docs(8) from
## $(pkgdatadir)/docs (IOCAGG_DOCS_DIR overrides it).
apidocsdir = $(pkgdatadir)/docs
dist_apidocs_DATA = htdocs/api-docs/index.html htdocs/api-docs/docs.js \
	htdocs/api-docs/docs.css htdocs/api-docs/openapi.json
