## lib/sources/web.mk -- (empty so far)
