## man/local.mk -- mdoc pages for every program; linted in make check.
dist_man_MANS += \
	man/iocagg.1 \
	man/iocagg.7 \
	man/iocagg-sources.7 \
	man/iocagg.conf.5 \
	man/iocagg-fcgi.8 \
	man/iocaggctl.8 \
	man/iocagg-providers.8 \
	man/iocagg-sources.8 \
	man/iocagg-ignorelists.8 \
	man/iocagg-secrets.8 \
	man/iocagg-apitokens.8 \
	man/iocagg-config.8 \
	man/iocagg-stats.8 \
	man/iocagg-notifications.8 \
	man/iocagg-favicon.8 \
	man/iocagg-auth.8 \
	man/iocagg-docs.8 \
	man/iocagg-runners.8 \
	man/iocagg-schedulerd.8
