## man/local.mk -- mdoc pages for every program; linted in make check.
dist_man_MANS += \
	man/iocagg.7 \
	man/iocagg.conf.5 \
	man/iocagg-fcgi.8 \
	man/iocaggctl.8
