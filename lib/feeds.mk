## lib/feeds.mk -- (empty so far)
