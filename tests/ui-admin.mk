## tests/ui-admin.mk -- the management pages' API test: POST
## /api/v1/sources/test (the source editor's "test with an indicator").
TESTS += tests/integ/t0625-source-test.py
EXTRA_DIST += tests/integ/t0625-source-test.py
# It needs the Python runner enabled: after the tests that switch it.
tests/integ/t0625-source-test.log: tests/integ/t0510-checks.log \
	tests/integ/t0640-config.log
tests/integ/t0400-restart.log: tests/integ/t0625-source-test.log
