## lib/sources/abusech.mk -- the abuse.ch, Google Safe Browsing and
## urlscan.io built-in sources (see docs/sources-abusech.md).
lib_libiocagg_a_SOURCES += \
	lib/sources/malwarebazaar.c lib/sources/megatron.c \
	lib/sources/google_safe_browsing_lookup.c \
	lib/sources/google_safe_browsing_update.c \
	lib/sources/gsb_url.c lib/sources/gsb_url.h \
	lib/sources/urlscan_io_search.c lib/sources/urlscan_io_submit.c
