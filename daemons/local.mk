## daemons/local.mk -- long-running programs (not FastCGI).

# The background-task scheduler, iocagg-schedulerd(8).
sbin_PROGRAMS += daemons/iocagg-schedulerd
daemons_iocagg_schedulerd_SOURCES = daemons/iocagg-schedulerd.c
daemons_iocagg_schedulerd_CFLAGS = $(AM_CFLAGS) $(PQ_CFLAGS) \
	$(JSONC_CFLAGS) $(CURL_CFLAGS) $(SYSTEMD_CFLAGS) $(GRPC_CFLAGS)
daemons_iocagg_schedulerd_LDADD = $(IOCAGG_LIBS) $(RUNNER_CLIENT_LIBS)
