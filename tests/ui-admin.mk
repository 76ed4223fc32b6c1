## tests/ui-admin.mk -- (empty so far)
