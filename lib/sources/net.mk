## lib/sources/net.mk -- (empty so far)
