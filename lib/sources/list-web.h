/* lib/sources/list-web.h -- X-macro list of built-in sources: SRC(name) for "const struct src_def src_<name>". */
/* The web API sources: OTX, crt.sh, HIBP, the Wayback Machine, Shodan. */
SRC(alienvault_otx)
SRC(certificate_transparency)
SRC(haveibeenpwned)
SRC(internet_archive)
SRC(internetdb)
SRC(shodan)
