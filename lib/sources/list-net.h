/* lib/sources/list-net.h -- the DNS sources (c-ares). */
SRC(dns)
SRC(asn_cymru)
