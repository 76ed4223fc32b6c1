## tests/browser.mk -- (empty so far)
