/* lib/sources/list-feeds.h -- X-macro list of built-in sources: SRC(name) for "const struct src_def src_<name>". */
/* The feed-backed sources (urlhaus, also a feed source, is registered
 * in registry.c itself). */
SRC(openphish)
SRC(phishtank)
SRC(threatfox)
