## sql/local.mk -- the numbered PostgreSQL migrations, installed as
## $(pkgdatadir)/sql/NNNN-name.sql for `iocaggctl migrate`.
nobase_dist_pkgdata_DATA += \
	sql/0001-schema.sql \
	sql/0002-feeds.sql \
	sql/0003-runtime.sql \
	sql/0004-seed.sql \
	sql/0005-lookup.sql \
	sql/0006-scheduler.sql \
	sql/0007-feeds.sql \
	sql/0008-verdict.sql \
	sql/0009-catalogue-web.sql \
	sql/0010-catalogue-abusech.sql \
	sql/0011-perf.sql \
	sql/0012-signup.sql

EXTRA_DIST += sql/README.md
