## tests/cat-net.mk -- the DNS and ASN Cymru sources against tests/mock/dns.py.
INTEG_NET_TESTS = tests/integ/t1030-sources-net.py
TESTS += $(INTEG_NET_TESTS)
EXTRA_DIST += $(INTEG_NET_TESTS) tests/mock/dns.py
tests/integ/t0400-restart.log: tests/integ/t1030-sources-net.log
