## lib/sources/web.mk -- the web API sources (docs/sources-web.md).
lib_libiocagg_a_SOURCES += lib/sources/alienvault_otx.c \
	lib/sources/certificate_transparency.c \
	lib/sources/haveibeenpwned.c \
	lib/sources/internet_archive.c \
	lib/sources/internetdb.c \
	lib/sources/shodan.c
