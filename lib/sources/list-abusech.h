/* lib/sources/list-abusech.h -- X-macro list of built-in sources: SRC(name) for "const struct src_def src_<name>". */
SRC(malwarebazaar)
SRC(megatron)
SRC(google_safe_browsing_lookup)
SRC(google_safe_browsing_update)
SRC(urlscan_io_search)
SRC(urlscan_io_submit)
