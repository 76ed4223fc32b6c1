## lib/feeds.mk -- the feed loader and the feed-backed sources.
lib_libiocagg_a_SOURCES += lib/feed.c lib/feed.h \
	lib/sources/openphish.c lib/sources/phishtank.c \
	lib/sources/threatfox.c
lib_libiocagg_a_CFLAGS += $(LIBARCHIVE_CFLAGS)
IOCAGG_LIBS += $(LIBARCHIVE_LIBS)
