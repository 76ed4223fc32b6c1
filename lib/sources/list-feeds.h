/* lib/sources/list-feeds.h -- X-macro list of built-in sources: SRC(name) for "const struct src_def src_<name>". */
