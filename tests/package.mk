## tests/package.mk -- installation and packaging checks in "make check":
##   tests/t-install.sh    "make install DESTDIR=..." puts every file in its
##                         configured place (the Debian layout for
##                         --prefix=/usr --sysconfdir=/etc
##                         --localstatedir=/var), "make uninstall" removes
##                         them all
##   tests/t-manroutes.py  every OpenAPI route is in a manual page, every
##                         option of a program's usage in its SYNOPSIS
## The Debian packaging (debian/) is built and installed by
## "tools/devstack package" (tools/devstack.d/package.sh).
PACKAGE_TESTS = tests/t-install.sh tests/t-manroutes.py
TESTS += $(PACKAGE_TESTS)
EXTRA_DIST += $(PACKAGE_TESTS) \
	debian/changelog debian/control debian/copyright debian/rules \
	debian/source/format debian/iocagg.install debian/iocagg-cli.install \
	debian/iocagg.docs debian/iocagg.README.Debian \
	debian/iocagg.postinst debian/iocagg.prerm debian/iocagg.postrm \
	debian/iocagg.lintian-overrides
