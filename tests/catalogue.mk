## tests/catalogue.mk -- the source framework and the catalogue as a
## whole: verdicts, the lookup summary, shared behaviour (t1000), and
## the acceptance check of every built-in source (t1090).

TESTS += tests/integ/t1000-verdict.py tests/integ/t1090-catalogue.py
EXTRA_DIST += tests/integ/t1000-verdict.py tests/integ/t1090-catalogue.py

# t1000 uses the Python runner, which t0710 stops and t0640 switches off
# for a while: not at the same time.
tests/integ/t1000-verdict.log: tests/integ/t0710-runner-lookups.log \
	tests/integ/t0640-config.log
# The acceptance check looks at every source: after the ones that test
# them one by one.
tests/integ/t1090-catalogue.log: tests/integ/t1000-verdict.log
# The restart test stops PostgreSQL: it runs after these.
tests/integ/t0400-restart.log: tests/integ/t1000-verdict.log \
	tests/integ/t1090-catalogue.log
