## tests/browser.mk -- the browser UI in real Chromium (Debian's
## chromium driven by npm's playwright-core, package-lock.json at the
## top), plus the static checks of htdocs/app.  The scripts print TAP;
## tests/browser/run.sh runs them with node (npm ci first when
## node_modules lacks playwright-core).  Without a stack
## (IOCAGG_TEST_URL), node, Chromium or playwright-core they skip.
BROWSER_TESTS = tests/browser/t-ui-i18n.mjs tests/browser/t-ui-core.mjs \
	tests/browser/t-ui-admin.mjs
TESTS += $(BROWSER_TESTS)
EXTRA_DIST += $(BROWSER_TESTS) tests/browser/lib.mjs tests/browser/run.sh \
	tests/browser/screenshots.mjs \
	tests/bench/ui.mjs package.json package-lock.json

TEST_EXTENSIONS += .mjs
MJS_LOG_DRIVER = $(TAP_DRIVER)
MJS_LOG_COMPILER = $(SHELL) $(top_srcdir)/tests/browser/run.sh

# The lookups use Python sources: after the tests that switch the
# Python runner off or restart it (t0510, t0710, t0640 run in that
# order), and before the restart test stops PostgreSQL.  The
# concurrency test wants the machine to itself, and two Chromiums at
# once are too much for a small machine.
tests/browser/t-ui-core.log: tests/integ/t0640-config.log
tests/integ/t0400-restart.log: tests/browser/t-ui-core.log
tests/integ/t0540-concurrency.log: tests/browser/t-ui-core.log
tests/browser/t-ui-admin.log: tests/browser/t-ui-core.log
tests/browser/t-ui-admin.log: tests/integ/t0640-config.log
tests/integ/t0400-restart.log: tests/browser/t-ui-admin.log
tests/integ/t0540-concurrency.log: tests/browser/t-ui-admin.log
# The pages' Python sources want free runner workers: not while the
# catalogue, verdict and source-test tests run theirs.
tests/browser/t-ui-core.log: tests/integ/t1090-catalogue.log \
	tests/integ/t1000-verdict.log tests/integ/t0625-source-test.log
