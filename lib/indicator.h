/*
 * lib/indicator.h -- the kinds of indicator of compromise, with their
 * validation, normalization, defanging and auto-detection.
 */
#ifndef IOCAGG_INDICATOR_H
#define IOCAGG_INDICATOR_H

/*
 * The order is the fixed order of the public list of kinds: the API and
 * the database both rely on it, so only ever append.
 */
enum ind_kind {
	IND_DOMAIN,
	IND_IPV4,
	IND_IPV6,
	IND_URL,
	IND_EMAIL,
	IND_SHA1,
	IND_SHA256,
	IND_SHA512,
	IND_MD5,
	IND_TLSH,
	IND_SSDEEP,
	IND__MAX,
	IND_INVALID = -1
};

#define IND_DATA_MAX	4096	/* longest indicator accepted, bytes */

const char	*ind_kind_name(enum ind_kind);
enum ind_kind	 ind_kind_parse(const char *);
const char	*ind_kind_example(enum ind_kind);
const char	*ind_kind_description(enum ind_kind);
int		 ind_normalize(enum ind_kind, const char *, char **,
		    const char **);
enum ind_kind	 ind_detect(const char *);

#endif
