## tests/feeds.mk -- (empty so far)
