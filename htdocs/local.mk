## htdocs/local.mk -- the browser UI, served by NGINX as static files.
htdocsdir = $(pkgdatadir)/htdocs
dist_htdocs_DATA = htdocs/index.html
