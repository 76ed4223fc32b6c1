## tools/local.mk -- iocaggctl(8), and the dev stack script.
sbin_PROGRAMS += tools/iocaggctl
tools_iocaggctl_SOURCES = tools/iocaggctl.c
tools_iocaggctl_CFLAGS = $(AM_CFLAGS) $(PQ_CFLAGS) $(SODIUM_CFLAGS) \
	$(JSONC_CFLAGS)
tools_iocaggctl_LDADD = $(IOCAGG_LIBS)

EXTRA_DIST += tools/devstack
