## lib/sources/net.mk -- the sources that speak DNS (c-ares): DNS records
## and ASN Cymru.
lib_libiocagg_a_SOURCES += lib/sources/dnsq.c lib/sources/dnsq.h \
	lib/sources/dns.c lib/sources/asn_cymru.c
lib_libiocagg_a_CFLAGS += $(CARES_CFLAGS)
IOCAGG_LIBS += $(CARES_LIBS)
