## daemons/local.mk -- (empty so far)
