## tools/local.mk -- iocaggctl(8), and the dev stack script.
sbin_PROGRAMS += tools/iocaggctl
tools_iocaggctl_SOURCES = tools/iocaggctl.c
tools_iocaggctl_CFLAGS = $(AM_CFLAGS) $(PQ_CFLAGS) $(SODIUM_CFLAGS) \
	$(JSONC_CFLAGS)
tools_iocaggctl_LDADD = $(IOCAGG_LIBS) $(RUNNER_CLIENT_LIBS)

EXTRA_DIST += tools/devstack tools/devstack.d

# iocagg(1), the command line, and its shell completions.
bin_PROGRAMS += tools/iocagg
tools_iocagg_SOURCES = tools/iocagg.c tools/iocagg-api.c \
	tools/iocagg-lookup.c tools/iocagg-out.c tools/iocagg-extern.h
tools_iocagg_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(CURL_CFLAGS)
tools_iocagg_LDADD = $(IOCAGG_LIBS)
bashcompdir = $(datadir)/bash-completion/completions
dist_bashcomp_DATA = tools/completion/iocagg.bash
zshcompdir = $(datadir)/zsh/vendor-completions
dist_zshcomp_DATA = tools/completion/_iocagg
