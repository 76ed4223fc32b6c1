/*
 * tests/unit/t-indicator.c -- the indicator kinds: names, validation,
 * normalization, refanging and detection.  Every valid case also checks
 * that its normalized value normalizes to itself, which deduplication in
 * the database depends on.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "indicator.h"
#include "tap.h"
#include "xmalloc.h"

#define SHA1_PW		"5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8"
#define SHA1_ABC	"a9993e364706816aba3e25717850c26c9cd0d89d"
#define SHA256_PW \
	"5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"
#define SHA256_ABC \
	"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define SHA512_PW \
	"b109f3bbbc244eb82441917ed06d618b9008dd09b3befd1b5e07394c706a8bb9" \
	"80b1d7785e5976ec049b46df5f1326af5a2ea6d103fd07c95385ffab0cacbc86"
#define SHA512_ABC \
	"ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a" \
	"2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
#define MD5_TEST	"098f6bcd4621d373cade4e832627b4f6"
#define MD5_PW		"5f4dcc3b5aa765d61d8327deb882cf99"
/* tlsh(1) on Debian 12's /usr/share/common-licenses/GPL-3 and /bin/ls. */
#define TLSH_GPL \
	"T15FF2835FB74413B2018206A26A9F68DEE319D03A73664095785DC15C27B3E3" \
	"483BFBED"
#define TLSH_LS \
	"T18CE34A07B69314FDC692857095AB96627E3078644721BF3B7A8CA7342F16F3" \
	"06F0AB71"
#define SSDEEP_REF	"3:AXGBicFlgVNhBGcL6wCrFQEv:AXGHsVNhB2Lsr2C"
/* ssdeep(1) on Debian 12's Apache-2.0 and BSD licence texts. */
#define SSDEEP_APACHE \
	"192:nU6G5KXSD9VYUKhu1JVF9hFGvV/QiGkS594drFjuHYx5dvTrLh3kTSEn7HbHR:" \
	"U9vlKM1zJlFvmNz5VrlkTS07Ht"
#define SSDEEP_BSD \
	"24:EKUnoQbOIhrYFThJyhrYFTXAMZl/BTP4W9k1432sQEOk80gROF32s3yTtTfRzS1Q:" \
	"+OorYJKrYJ7JP4kk1432sHZ32s3utFz9"

static const char *const names[IND__MAX] = {
	"DOMAIN", "IPV4", "IPV6", "URL", "EMAIL", "SHA1", "SHA256",
	"SHA512", "MD5", "TLSH", "SSDEEP"
};

static const struct {
	enum ind_kind	 kind;
	const char	*in;
	const char	*want;
} valid[] = {
	/* DOMAIN */
	{ IND_DOMAIN, "domain.com", "domain.com" },
	{ IND_DOMAIN, "a.b", "a.b" },
	{ IND_DOMAIN, "Example.COM", "example.com" },
	{ IND_DOMAIN, "  example.com\t\r\n", "example.com" },
	{ IND_DOMAIN, "example.com.", "example.com" },
	{ IND_DOMAIN, "sub.domain.co.uk", "sub.domain.co.uk" },
	{ IND_DOMAIN, "my-host.example.org", "my-host.example.org" },
	{ IND_DOMAIN, "_dmarc.example.com", "_dmarc.example.com" },
	{ IND_DOMAIN, "xn--bcher-kva.example", "xn--bcher-kva.example" },
	{ IND_DOMAIN, "B\xc3\xbc" "cher.DE", "b\xc3\xbc" "cher.de" },
	{ IND_DOMAIN, "\xe4\xbe\x8b\xe3\x81\x88.jp",
	    "\xe4\xbe\x8b\xe3\x81\x88.jp" },
	{ IND_DOMAIN, "1.2.3.com", "1.2.3.com" },
	{ IND_DOMAIN, "123.com", "123.com" },
	{ IND_DOMAIN, "example.c0m", "example.c0m" },
	{ IND_DOMAIN, "a--b.example", "a--b.example" },
	{ IND_DOMAIN, "evil[.]com", "evil.com" },
	{ IND_DOMAIN, "evil(.)com", "evil.com" },
	{ IND_DOMAIN, "evil{.}com", "evil.com" },
	{ IND_DOMAIN, "evil[dot]com", "evil.com" },
	{ IND_DOMAIN, "EVIL(DOT)COM", "evil.com" },
	{ IND_DOMAIN, "evil{Dot}com", "evil.com" },
	{ IND_DOMAIN, "evil[[.]]com", "evil.com" },
	{ IND_DOMAIN, "www[.]evil[.]co[.]uk", "www.evil.co.uk" },
	{ IND_DOMAIN, " evil[.]com[.] ", "evil.com" },

	/* IPV4 */
	{ IND_IPV4, "1.1.1.1", "1.1.1.1" },
	{ IND_IPV4, "0.0.0.0", "0.0.0.0" },
	{ IND_IPV4, "255.255.255.255", "255.255.255.255" },
	{ IND_IPV4, "192.168.1.1", "192.168.1.1" },
	{ IND_IPV4, "10.0.100.200", "10.0.100.200" },
	{ IND_IPV4, " 8.8.8.8\n", "8.8.8.8" },
	{ IND_IPV4, "1[.]2[.]3[.]4", "1.2.3.4" },
	{ IND_IPV4, "10(.)0(.)0(.)1", "10.0.0.1" },
	{ IND_IPV4, "127[dot]0[dot]0[dot]1", "127.0.0.1" },
	{ IND_IPV4, "203.0.113{.}7", "203.0.113.7" },

	/* IPV6 */
	{ IND_IPV6, "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
	    "2001:db8:85a3::8a2e:370:7334" },
	{ IND_IPV6, "::1", "::1" },
	{ IND_IPV6, "::", "::" },
	{ IND_IPV6, "[::1]", "::1" },
	{ IND_IPV6, "[2001:DB8::1]", "2001:db8::1" },
	{ IND_IPV6, "2001:DB8::1", "2001:db8::1" },
	{ IND_IPV6, "2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1" },
	{ IND_IPV6, "2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1" },
	{ IND_IPV6, "2001:db8:0000:0000:0000:0000:0000:0001",
	    "2001:db8::1" },
	{ IND_IPV6, "fe80::1", "fe80::1" },
	{ IND_IPV6, "FE80:0:0:0:0:0:0:1", "fe80::1" },
	{ IND_IPV6, "::ffff:192.0.2.1", "::ffff:192.0.2.1" },
	{ IND_IPV6, "::FFFF:C000:0201", "::ffff:192.0.2.1" },
	{ IND_IPV6, "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8" },
	{ IND_IPV6, "2001[:]db8[:][:]1", "2001:db8::1" },
	{ IND_IPV6, "\t2001:db8::1 ", "2001:db8::1" },

	/* URL */
	{ IND_URL, "http://example.com", "http://example.com" },
	{ IND_URL, "HTTP://EXAMPLE.COM/Path?Q=A#Frag",
	    "http://example.com/Path?Q=A#Frag" },
	{ IND_URL, "https://example.com/", "https://example.com/" },
	{ IND_URL, "http://example.com?q", "http://example.com?q" },
	{ IND_URL, "http://example.com#top", "http://example.com#top" },
	{ IND_URL, "hxxp://evil[.]com/a", "http://evil.com/a" },
	{ IND_URL, "hXXps://Evil[.]com/X", "https://evil.com/X" },
	{ IND_URL, "HXXP://EVIL[.]COM/A", "http://evil.com/A" },
	{ IND_URL, "hxxp[://]evil[.]com", "http://evil.com" },
	{ IND_URL, "fxp://files[.]example[.]org/pub",
	    "ftp://files.example.org/pub" },
	{ IND_URL, "https://user:PassWord@Example.COM:8443/a/B",
	    "https://user:PassWord@example.com:8443/a/B" },
	{ IND_URL, "http://[2001:DB8::1]:8080/", "http://[2001:db8::1]:8080/" },
	{ IND_URL, "http://[::1]", "http://[::1]" },
	{ IND_URL, "http://192.168.0.1/admin", "http://192.168.0.1/admin" },
	{ IND_URL, "http://1[.]2[.]3[.]4:8080/x", "http://1.2.3.4:8080/x" },
	{ IND_URL, "ftp://ftp.example.org/file.txt",
	    "ftp://ftp.example.org/file.txt" },
	{ IND_URL, "ldap://ldap.example.com/dc=example,dc=com",
	    "ldap://ldap.example.com/dc=example,dc=com" },
	{ IND_URL, "X-Custom+Scheme.v1://Host.Example/P",
	    "x-custom+scheme.v1://host.example/P" },
	{ IND_URL, "http://localhost:8080/", "http://localhost:8080/" },
	{ IND_URL, "http://\xe4\xbe\x8b\xe3\x81\x88.jp/\xe3\x83\x91",
	    "http://\xe4\xbe\x8b\xe3\x81\x88.jp/\xe3\x83\x91" },
	{ IND_URL, "http://example.com/a%20b", "http://example.com/a%20b" },
	{ IND_URL, "http://example.com./", "http://example.com./" },
	{ IND_URL, "http://example.com:/", "http://example.com:/" },
	{ IND_URL, "  https://example.com/x  ", "https://example.com/x" },
	{ IND_URL, "http://example.com/?next=http://Other.COM/",
	    "http://example.com/?next=http://Other.COM/" },
	{ IND_URL, "http://example.com/PATH/Index.HTML",
	    "http://example.com/PATH/Index.HTML" },
	{ IND_URL, "http://@example.com/", "http://@example.com/" },

	/* EMAIL */
	{ IND_EMAIL, "example@example.com", "example@example.com" },
	{ IND_EMAIL, "User.Name+tag@Example.COM",
	    "User.Name+tag@example.com" },
	{ IND_EMAIL, "user[@]Evil[.]COM", "user@evil.com" },
	{ IND_EMAIL, "user(at)example(dot)com", "user@example.com" },
	{ IND_EMAIL, "user[at]example[.]com", "user@example.com" },
	{ IND_EMAIL, "user(@)example.com", "user@example.com" },
	{ IND_EMAIL, "o'brien@example.ie", "o'brien@example.ie" },
	{ IND_EMAIL, "a!#$%&'*+/=?^_`{|}~-@example.com",
	    "a!#$%&'*+/=?^_`{|}~-@example.com" },
	{ IND_EMAIL, "user@b\xc3\xbc" "cher.de", "user@b\xc3\xbc" "cher.de" },
	{ IND_EMAIL, "user@example.com.", "user@example.com" },
	{ IND_EMAIL, " x@y.z ", "x@y.z" },
	{ IND_EMAIL, "first.last@sub.example.co.uk",
	    "first.last@sub.example.co.uk" },

	/* Hashes: either case in, lowercase out. */
	{ IND_SHA1, SHA1_PW, SHA1_PW },
	{ IND_SHA1, SHA1_ABC, SHA1_ABC },
	{ IND_SHA1, "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8", SHA1_PW },
	{ IND_SHA1, " " SHA1_PW "\n", SHA1_PW },
	{ IND_SHA256, SHA256_PW, SHA256_PW },
	{ IND_SHA256, SHA256_ABC, SHA256_ABC },
	{ IND_SHA256,
	    "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
	    SHA256_ABC },
	{ IND_SHA512, SHA512_PW, SHA512_PW },
	{ IND_SHA512, SHA512_ABC, SHA512_ABC },
	{ IND_SHA512,
	    "DDAF35A193617ABACC417349AE20413112E6FA4E89A97EA20A9EEEE64B55D39A"
	    "2192992A274FC1A836BA3C23A3FEEBBD454D4423643CE80E2A9AC94FA54CA49F",
	    SHA512_ABC },
	{ IND_MD5, MD5_TEST, MD5_TEST },
	{ IND_MD5, MD5_PW, MD5_PW },
	{ IND_MD5, "098F6BCD4621D373CADE4E832627B4F6", MD5_TEST },
	{ IND_MD5, "\t" MD5_TEST "\t", MD5_TEST },

	/* TLSH: either case in, uppercase out. */
	{ IND_TLSH, TLSH_GPL, TLSH_GPL },
	{ IND_TLSH, TLSH_LS, TLSH_LS },
	{ IND_TLSH,
	    "t15ff2835fb74413b2018206a26a9f68dee319d03a73664095785dc15c27b3e3"
	    "483bfbed", TLSH_GPL },
	{ IND_TLSH, " " TLSH_LS " ", TLSH_LS },

	/* SSDEEP: case is significant and kept. */
	{ IND_SSDEEP, SSDEEP_REF, SSDEEP_REF },
	{ IND_SSDEEP, SSDEEP_APACHE, SSDEEP_APACHE },
	{ IND_SSDEEP, SSDEEP_BSD, SSDEEP_BSD },
	{ IND_SSDEEP, "3:abcdef:ghij", "3:abcdef:ghij" },
	{ IND_SSDEEP, "1234567890:a:b", "1234567890:a:b" },
	{ IND_SSDEEP, "\n" SSDEEP_REF "\n", SSDEEP_REF },
};

static const struct {
	enum ind_kind	 kind;
	const char	*in;
} invalid[] = {
	/* DOMAIN */
	{ IND_DOMAIN, "domain" },
	{ IND_DOMAIN, "a..b" },
	{ IND_DOMAIN, "-a.com" },
	{ IND_DOMAIN, "a-.com" },
	{ IND_DOMAIN, "a.-com" },
	{ IND_DOMAIN, ".com" },
	{ IND_DOMAIN, "." },
	{ IND_DOMAIN, "example.com.." },
	{ IND_DOMAIN, "1.2.3.4" },
	{ IND_DOMAIN, "example.123" },
	{ IND_DOMAIN, "exa mple.com" },
	{ IND_DOMAIN, "exa*mple.com" },
	{ IND_DOMAIN, "*.example.com" },
	{ IND_DOMAIN, "example.com/" },
	{ IND_DOMAIN, "example.com:80" },
	{ IND_DOMAIN, "http://example.com" },
	{ IND_DOMAIN, "user@example.com" },
	{ IND_DOMAIN, "[::1]" },
	{ IND_DOMAIN, "\xff.com" },
	{ IND_DOMAIN, "\xc0\xae.com" },
	/* Zero-width space, right-to-left override, no-break space. */
	{ IND_DOMAIN, "ex\xe2\x80\x8b" "ample.com" },
	{ IND_DOMAIN, "example\xe2\x80\xae.com" },
	{ IND_DOMAIN, "exa\xc2\xa0mple.com" },
	{ IND_DOMAIN, "a.\xc2\x85" "com" },		/* C1 NEL */
	{ IND_DOMAIN, "\xed\xa0\x80.com" },		/* surrogate */
	{ IND_DOMAIN, "\xf4\x90\x80\x80.com" },	/* past U+10FFFF */
	{ IND_DOMAIN, "b\xc3" },			/* truncated */
	{ IND_DOMAIN, "b\xc3" "b.com" },		/* no continuation */

	/* IPV4 */
	{ IND_IPV4, "192.168.1" },
	{ IND_IPV4, "01.2.3.4" },
	{ IND_IPV4, "1.2.3.04" },
	{ IND_IPV4, "1.2.3.00" },
	{ IND_IPV4, "256.1.1.1" },
	{ IND_IPV4, "1.2.3.999" },
	{ IND_IPV4, "1.2.3.4.5" },
	{ IND_IPV4, "1.2.3." },
	{ IND_IPV4, ".1.2.3" },
	{ IND_IPV4, "1..2.3" },
	{ IND_IPV4, "1.2.3.4a" },
	{ IND_IPV4, "0x7f.0.0.1" },
	{ IND_IPV4, "1.2.3.-4" },
	{ IND_IPV4, "1.2.3.+4" },
	{ IND_IPV4, "1 .2.3.4" },
	{ IND_IPV4, "1.2.3.4/24" },
	{ IND_IPV4, "1.2.3.4:80" },
	{ IND_IPV4, "1111.2.3.4" },
	{ IND_IPV4, "0001.2.3.4" },
	{ IND_IPV4, "3232235777" },
	{ IND_IPV4, "::1" },
	{ IND_IPV4, "example.com" },

	/* IPV6 */
	{ IND_IPV6, "2001:0db8:85a3:0000:0000:8a2e" },
	{ IND_IPV6, "fe80::1%eth0" },
	{ IND_IPV6, "[fe80::1%25eth0]" },
	{ IND_IPV6, "[::1" },
	{ IND_IPV6, "::1]" },
	{ IND_IPV6, "[]" },
	{ IND_IPV6, "[[::1]]" },
	{ IND_IPV6, "1.2.3.4" },
	{ IND_IPV6, "2001:db8::1::1" },
	{ IND_IPV6, "2001:db8:::1" },
	{ IND_IPV6, ":::" },
	{ IND_IPV6, "12345::1" },
	{ IND_IPV6, "g::1" },
	{ IND_IPV6, "1:2:3:4:5:6:7:8:9" },
	{ IND_IPV6, "::ffff:01.2.3.4" },
	{ IND_IPV6, "::ffff:1.2.3" },
	{ IND_IPV6, "2001:db8::/32" },
	{ IND_IPV6, "example.com" },

	/* URL */
	{ IND_URL, "example.com" },
	{ IND_URL, "http://" },
	{ IND_URL, "http:///path" },
	{ IND_URL, "http:/example.com" },
	{ IND_URL, "http:example.com" },
	{ IND_URL, "http:\\\\example.com" },
	{ IND_URL, "mailto:user@example.com" },
	{ IND_URL, "file:///etc/passwd" },
	{ IND_URL, "://example.com" },
	{ IND_URL, "1http://example.com" },
	{ IND_URL, "ht tp://example.com" },
	{ IND_URL, "ht_tp://example.com" },
	{ IND_URL, "http://exa mple.com" },
	{ IND_URL, "http://example.com/a b" },
	{ IND_URL, "http://a@b@example.com/" },
	{ IND_URL, "http://example.com:99999/" },
	{ IND_URL, "http://example.com:8a/" },
	{ IND_URL, "http://example.com:80:80/" },
	{ IND_URL, "http://[::1/" },
	{ IND_URL, "http://[::1]x/" },
	{ IND_URL, "http://[fe80::1%25eth0]/" },
	{ IND_URL, "http://[v1.fe]/" },
	{ IND_URL, "http://[]/" },
	{ IND_URL, "http://[00000000000000000000000000000000000000000000::1]" },
	{ IND_URL, "http://1.2.3.256/" },
	{ IND_URL, "http://01.2.3.4/" },
	{ IND_URL, "http://0x7f.1/" },
	{ IND_URL, "http://3232235777/" },
	{ IND_URL, "http://-evil.com/" },
	{ IND_URL, "http://a..com/" },
	{ IND_URL, "http://ex%41mple.com/" },
	{ IND_URL, "http://exa\\mple.com/" },
	{ IND_URL, "http://user@/" },
	{ IND_URL, "http://:80/" },
	{ IND_URL, "http://example.com/\x01" },
	{ IND_URL, "http://example.com/\xe2\x80\xae" "fdp.exe" },

	/* EMAIL */
	{ IND_EMAIL, "example.com" },
	{ IND_EMAIL, "@example.com" },
	{ IND_EMAIL, "user@" },
	{ IND_EMAIL, "user@localhost" },
	{ IND_EMAIL, "a@b@example.com" },
	{ IND_EMAIL, "us er@example.com" },
	{ IND_EMAIL, "user@-example.com" },
	{ IND_EMAIL, "user@example..com" },
	{ IND_EMAIL, "(user)@example.com" },
	{ IND_EMAIL, "\"quoted\"@example.com" },
	{ IND_EMAIL, "user@1.2.3.4" },
	{ IND_EMAIL, "user@[1.2.3.4]" },
	{ IND_EMAIL, "\xc3\xbcser@example.com" },
	{ IND_EMAIL, "user@exa mple.com" },
	{ IND_EMAIL, "mailto:user@example.com" },
	{ IND_EMAIL, "user@example.com>" },

	/* SHA1 */
	{ IND_SHA1, "invalid_sha1" },
	{ IND_SHA1, "5baa61e4c9b93f3f0682250b6cf8331b7ee68fd" },
	{ IND_SHA1, "5baa61e4c9b93f3f0682250b6cf8331b7ee68fd80" },
	{ IND_SHA1, "5baa61e4c9b93f3f0682250b6cf8331b7ee68fdg" },
	{ IND_SHA1, "5baa61e4 c9b93f3f0682250b6cf8331b7ee68fd8" },
	{ IND_SHA1, "0x5baa61e4c9b93f3f0682250b6cf8331b7ee68f" },
	{ IND_SHA1, MD5_TEST },
	{ IND_SHA1, SHA256_PW },

	/* SHA256 */
	{ IND_SHA256, "invalid_sha256" },
	{ IND_SHA256, SHA1_PW },
	{ IND_SHA256, SHA512_PW },
	{ IND_SHA256,
	    "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d" },
	{ IND_SHA256,
	    "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542"
	    "dz" },

	/* SHA512 */
	{ IND_SHA512, "invalid_sha512" },
	{ IND_SHA512, SHA256_PW },
	{ IND_SHA512, SHA512_PW "0" },
	{ IND_SHA512, SHA256_PW ":" SHA256_PW },

	/* MD5 */
	{ IND_MD5, "invalid_md5" },
	{ IND_MD5, "098f6bcd4621d373cade4e832627b4f" },
	{ IND_MD5, "098f6bcd4621d373cade4e832627b4f60" },
	{ IND_MD5, "098f6bcd4621d373cade4e832627b4fx" },
	{ IND_MD5, SHA1_PW },
	{ IND_MD5, "098f6bcd-4621-d373-cade-4e832627b4f6" },

	/* TLSH */
	{ IND_TLSH, "invalid_tlsh" },
	/* The 70 digits alone, without the version prefix. */
	{ IND_TLSH,
	    "5FF2835FB74413B2018206A26A9F68DEE319D03A73664095785DC15C27B3E3"
	    "483BFBED" },
	{ IND_TLSH,
	    "T25FF2835FB74413B2018206A26A9F68DEE319D03A73664095785DC15C27B3E3"
	    "483BFBED" },
	{ IND_TLSH,
	    "T15FF2835FB74413B2018206A26A9F68DEE319D03A73664095785DC15C27B3E3"
	    "483BFBE" },
	{ IND_TLSH,
	    "T15FF2835FB74413B2018206A26A9F68DEE319D03A73664095785DC15C27B3E3"
	    "483BFBED0" },
	{ IND_TLSH,
	    "T15FF2835FB74413B2018206A26A9F68DEE319D03A73664095785DC15C27B3E3"
	    "483BFBEG" },
	{ IND_TLSH, "TNULL" },
	{ IND_TLSH, SHA256_PW },

	/* SSDEEP */
	{ IND_SSDEEP, "12345" },
	{ IND_SSDEEP, "3:abc" },
	{ IND_SSDEEP, "3:a:b" },
	{ IND_SSDEEP, "03:abcdef:ghij" },
	{ IND_SSDEEP, "0:abcdef:ghij" },
	{ IND_SSDEEP, "3::abcdefghij" },
	{ IND_SSDEEP, "3:abcdefghij:" },
	{ IND_SSDEEP, ":abcdef:ghijk" },
	{ IND_SSDEEP, "x:abcdef:ghijk" },
	{ IND_SSDEEP, "3:ab-cdef:ghij" },
	{ IND_SSDEEP, "3:abcdef:gh=ij" },
	{ IND_SSDEEP, "3:abcdef:ghij:kl" },
	{ IND_SSDEEP, "12345678901:abcd:ef" },
	{ IND_SSDEEP, "-3:abcdef:ghij" },
	{ IND_SSDEEP, "3:abc def:ghij" },
	{ IND_SSDEEP, SSDEEP_REF ",\"file.txt\"" },
	{ IND_SSDEEP, SHA256_PW },
};

/*
 * Detection: the kind ind_detect() must pick, or IND_INVALID.
 */
static const struct {
	const char	*in;
	enum ind_kind	 want;
} detect[] = {
	{ MD5_TEST, IND_MD5 },
	{ "098F6BCD4621D373CADE4E832627B4F6", IND_MD5 },
	{ SHA1_PW, IND_SHA1 },
	{ SHA256_PW, IND_SHA256 },
	{ SHA512_PW, IND_SHA512 },
	{ TLSH_GPL, IND_TLSH },
	{ SSDEEP_REF, IND_SSDEEP },
	{ SSDEEP_APACHE, IND_SSDEEP },
	{ "1.1.1.1", IND_IPV4 },
	{ " 1[.]2[.]3[.]4 ", IND_IPV4 },
	{ "2001:0db8:85a3:0000:0000:8a2e:0370:7334", IND_IPV6 },
	{ "[::1]", IND_IPV6 },
	{ "::ffff:192.0.2.1", IND_IPV6 },
	{ "http://example.com", IND_URL },
	{ "hxxp://evil[.]com/a", IND_URL },
	{ "ftp://[2001:db8::1]/", IND_URL },
	{ "example@example.com", IND_EMAIL },
	{ "user[@]Evil[.]COM", IND_EMAIL },
	{ "domain.com", IND_DOMAIN },
	{ "evil[.]com", IND_DOMAIN },
	{ "Sub.Example.Org.", IND_DOMAIN },
	{ "a.b", IND_DOMAIN },
	{ "domain", IND_INVALID },
	{ "192.168.1", IND_INVALID },
	{ "1.2.3.256", IND_INVALID },
	{ "2001:0db8:85a3:0000:0000:8a2e", IND_INVALID },
	{ "12345", IND_INVALID },
	{ "deadbeef", IND_INVALID },
	{ "invalid_sha1", IND_INVALID },
	{ "hello world", IND_INVALID },
	{ "", IND_INVALID },
	{ "   ", IND_INVALID },
	{ "mailto:user@example.com", IND_INVALID },
	{ "exa\x01mple.com", IND_INVALID },
};

static void
test_kinds(void)
{
	const char	*bogus[] = { "", "IPV5", "DOMAINS", "DOMAIN ",
	    " DOMAIN", "SHA-1", "SHA", "IND_DOMAIN", "INVALID", "IP", "HASH",
	    "E-MAIL", "URI", "tlsh2", "DOMAIN\n" };
	char		 lc[16];
	size_t		 i, j;
	int		 k;

	is_int(IND__MAX, 11, "there are 11 kinds");
	for (k = 0; k < IND__MAX; k++) {
		const char *n = ind_kind_name((enum ind_kind)k);

		is_str(n, names[k], "kind name in the public order");
		is_int(ind_kind_parse(names[k]), k, names[k]);
		for (j = 0; names[k][j] != '\0' && j < sizeof(lc) - 1; j++)
			lc[j] = names[k][j] >= 'A' && names[k][j] <= 'Z' ?
			    names[k][j] - 'A' + 'a' : names[k][j];
		lc[j] = '\0';
		is_int(ind_kind_parse(lc), k, lc);
		lc[0] = names[k][0];
		is_int(ind_kind_parse(lc), k, lc);
	}
	ok(ind_kind_name(IND__MAX) == NULL, "no name for IND__MAX");
	ok(ind_kind_name(IND_INVALID) == NULL, "no name for IND_INVALID");
	ok(ind_kind_name((enum ind_kind)100) == NULL, "no name for 100");
	ok(ind_kind_parse(NULL) == IND_INVALID, "parse(NULL)");
	for (i = 0; i < nitems(bogus); i++)
		is_int(ind_kind_parse(bogus[i]), IND_INVALID, bogus[i]);
}

static void
test_examples(void)
{
	const char	*ex, *d, *why;
	char		*out;
	int		 k;

	for (k = 0; k < IND__MAX; k++) {
		ex = ind_kind_example((enum ind_kind)k);
		d = ind_kind_description((enum ind_kind)k);
		ok(d != NULL && strlen(d) > 5 && d[strlen(d) - 1] == '.',
		    "%s description is a sentence", names[k]);
		out = NULL;
		why = NULL;
		if (ex == NULL ||
		    ind_normalize((enum ind_kind)k, ex, &out, &why) != 0)
			ok(0, "%s example is valid: %s", names[k],
			    why ? why : "no example");
		else
			is_str(out, ex, "example is valid and normalized");
		free(out);
		is_int(ind_detect(ex), k, "the example is detected");
	}
	ok(ind_kind_example(IND__MAX) == NULL, "no example for IND__MAX");
	ok(ind_kind_description(IND_INVALID) == NULL,
	    "no description for IND_INVALID");
}

static void
test_valid(void)
{
	const char	*why;
	char		*out, *again;
	size_t		 i;

	for (i = 0; i < nitems(valid); i++) {
		out = NULL;
		why = NULL;
		if (ind_normalize(valid[i].kind, valid[i].in, &out, &why)
		    != 0) {
			ok(0, "%s '%s' valid: %s", names[valid[i].kind],
			    valid[i].in, why ? why : "(null)");
			continue;
		}
		if (!is_str(out, valid[i].want, valid[i].in))
			printf("#  kind: %s\n", names[valid[i].kind]);
		again = NULL;
		ok(ind_normalize(valid[i].kind, out, &again, NULL) == 0 &&
		    strcmp(out, again) == 0, "%s '%s' normalizes to itself",
		    names[valid[i].kind], out);
		free(again);
		free(out);
	}
}

static void
test_invalid(void)
{
	char		 sentinel[] = "untouched";
	const char	*why;
	char		*out;
	size_t		 i;
	int		 rc;

	for (i = 0; i < nitems(invalid); i++) {
		out = sentinel;
		why = NULL;
		rc = ind_normalize(invalid[i].kind, invalid[i].in, &out, &why);
		ok(rc == -1 && out == sentinel && why != NULL && why[0] != '\0',
		    "%s '%s' invalid: %s", names[invalid[i].kind],
		    invalid[i].in, rc == 0 ? out : why ? why : "(no reason)");
		if (out != sentinel)
			free(out);
	}
}

/*
 * The checks every kind shares, run for all eleven.
 */
static void
test_common(void)
{
	char		 sentinel[] = "untouched";
	const char	*why, *ex;
	char		*out, *big, *buf;
	size_t		 len;
	int		 k, rc;

	for (k = 0; k < IND__MAX; k++) {
		why = NULL;
		out = sentinel;
		rc = ind_normalize((enum ind_kind)k, NULL, &out, &why);
		ok(rc == -1 && out == sentinel && why != NULL &&
		    strcmp(why, "is missing") == 0, "%s: NULL", names[k]);
		rc = ind_normalize((enum ind_kind)k, "", &out, &why);
		ok(rc == -1 && strcmp(why, "is empty") == 0, "%s: empty",
		    names[k]);
		rc = ind_normalize((enum ind_kind)k, " \t\r\n\v\f", &out,
		    &why);
		ok(rc == -1 && strcmp(why, "is empty") == 0,
		    "%s: only white space", names[k]);

		/* A control character in the middle of the example. */
		ex = ind_kind_example((enum ind_kind)k);
		len = strlen(ex);
		buf = xmalloc(len + 2);
		memcpy(buf, ex, len / 2);
		buf[len / 2] = '\x01';
		memcpy(buf + len / 2 + 1, ex + len / 2, len - len / 2 + 1);
		rc = ind_normalize((enum ind_kind)k, buf, &out, &why);
		ok(rc == -1 && out == sentinel &&
		    strcmp(why, "contains a control character") == 0,
		    "%s: embedded ^A", names[k]);
		buf[len / 2] = '\t';
		rc = ind_normalize((enum ind_kind)k, buf, &out, &why);
		ok(rc == -1 && strcmp(why, "contains a control character") ==
		    0, "%s: embedded tab", names[k]);
		buf[len / 2] = '\x7f';
		rc = ind_normalize((enum ind_kind)k, buf, &out, &why);
		ok(rc == -1 && strcmp(why, "contains a control character") ==
		    0, "%s: embedded DEL", names[k]);
		free(buf);

		/* Too long, even though every byte is otherwise fine. */
		big = xmalloc(IND_DATA_MAX + 2);
		memset(big, 'a', IND_DATA_MAX + 1);
		big[IND_DATA_MAX + 1] = '\0';
		rc = ind_normalize((enum ind_kind)k, big, &out, &why);
		ok(rc == -1 && out == sentinel &&
		    strcmp(why, "is too long") == 0, "%s: %d bytes",
		    names[k], IND_DATA_MAX + 1);
		free(big);

		/* The bogus-kind path for comparison. */
		rc = ind_normalize((enum ind_kind)(k + IND__MAX), "x", &out,
		    &why);
		ok(rc == -1 && out == sentinel &&
		    strcmp(why, "is not a known indicator kind") == 0,
		    "kind %d is not a kind", k + IND__MAX);
	}
	rc = ind_normalize(IND_INVALID, "example.com", &out, &why);
	ok(rc == -1 && strcmp(why, "is not a known indicator kind") == 0,
	    "IND_INVALID is not a kind");

	/* The kind-specific reasons the API shows to users. */
	ind_normalize(IND_IPV4, "192.168.1", &out, &why);
	is_str(why, "is not a valid IPv4 address", "IPv4 reason");
	ind_normalize(IND_IPV6, "::g", &out, &why);
	is_str(why, "is not a valid IPv6 address", "IPv6 reason");
	ind_normalize(IND_IPV6, "fe80::1%eth0", &out, &why);
	is_str(why, "has a zone index", "IPv6 zone reason");
	ind_normalize(IND_URL, "example.com", &out, &why);
	is_str(why, "has no scheme", "URL without scheme reason");
	ind_normalize(IND_URL, "http://", &out, &why);
	is_str(why, "has no host", "URL without host reason");
	ind_normalize(IND_EMAIL, "example.com", &out, &why);
	is_str(why, "is not a valid e-mail address", "e-mail reason");
	ind_normalize(IND_DOMAIN, "domain", &out, &why);
	is_str(why, "has a single label", "domain reason");
	ind_normalize(IND_SHA1, "invalid_sha1", &out, &why);
	is_str(why, "is not a valid SHA-1 hash", "SHA-1 reason");
	ind_normalize(IND_SSDEEP, "12345", &out, &why);
	is_str(why, "is not a valid ssdeep hash", "ssdeep reason");
	ind_normalize(IND_DOMAIN, "\xff.com", &out, &why);
	is_str(why, "is not valid UTF-8", "UTF-8 reason");
	ind_normalize(IND_DOMAIN, "a\xe2\x80\x8b.com", &out, &why);
	is_str(why, "contains an invisible character", "invisible reason");
	ok(out == sentinel, "failed calls never touched *out");

	/* A NULL "why" or "out" is allowed. */
	ok(ind_normalize(IND_MD5, "nope", &out, NULL) == -1, "why NULL");
	ok(ind_normalize(IND_MD5, MD5_TEST, NULL, NULL) == 0, "out NULL");
}

/*
 * Lengths around IND_DATA_MAX and the DNS limits.
 */
static void
test_lengths(void)
{
	const char	*why;
	char		*out, *s;
	size_t		 n;

	/* A URL of exactly IND_DATA_MAX bytes is fine, one more is not. */
	s = xmalloc(IND_DATA_MAX + 8);
	strcpy(s, "http://example.com/");
	n = strlen(s);
	memset(s + n, 'p', IND_DATA_MAX - n);
	s[IND_DATA_MAX] = '\0';
	ok(ind_normalize(IND_URL, s, &out, &why) == 0 &&
	    strlen(out) == IND_DATA_MAX, "URL of IND_DATA_MAX bytes");
	free(out);
	/* Surrounding white space does not count. */
	memmove(s + 2, s, IND_DATA_MAX + 1);
	s[0] = ' ';
	s[1] = '\t';
	strcat(s, "\n ");
	ok(ind_normalize(IND_URL, s, &out, &why) == 0 &&
	    strlen(out) == IND_DATA_MAX, "URL of IND_DATA_MAX in white space");
	free(out);
	strcpy(s, "http://example.com/");
	memset(s + n, 'p', IND_DATA_MAX + 1 - n);
	s[IND_DATA_MAX + 1] = '\0';
	ok(ind_normalize(IND_URL, s, &out, &why) == -1 &&
	    strcmp(why, "is too long") == 0, "URL of IND_DATA_MAX + 1 bytes");
	free(s);

	/* Labels of 63 characters pass, 64 do not. */
	s = xmalloc(300);
	memset(s, 'a', 63);
	strcpy(s + 63, ".com");
	ok(ind_normalize(IND_DOMAIN, s, &out, &why) == 0, "63-char label");
	free(out);
	memset(s, 'a', 64);
	strcpy(s + 64, ".com");
	ok(ind_normalize(IND_DOMAIN, s, &out, &why) == -1 &&
	    strcmp(why, "has a label longer than 63 characters") == 0,
	    "64-char label");

	/* 63 two-byte characters are 63 characters, not 126. */
	for (n = 0; n < 63; n++)
		memcpy(s + 2 * n, "\xc3\xa9", 2);
	strcpy(s + 126, ".com");
	ok(ind_normalize(IND_DOMAIN, s, &out, &why) == 0,
	    "63-character UTF-8 label");
	free(out);

	/* Names of 253 characters pass, 254 do not. */
	for (n = 0; n < 4; n++) {
		memset(s + n * 64, 'b', 63);
		s[n * 64 + 63] = '.';
	}
	/* 4 * 64 = 256; cut to 253 with a letter at the end. */
	s[253] = '\0';
	s[252] = 'c';
	ok(ind_normalize(IND_DOMAIN, s, &out, &why) == 0 &&
	    strlen(out) == 253, "253-character name");
	free(out);
	s[253] = '.';
	s[254] = '\0';
	ok(ind_normalize(IND_DOMAIN, s, &out, &why) == 0 &&
	    strlen(out) == 253, "253-character name and root dot");
	free(out);
	s[253] = 'c';
	ok(ind_normalize(IND_DOMAIN, s, &out, &why) == -1 &&
	    strcmp(why, "is longer than 253 characters") == 0,
	    "254-character name");

	/* E-mail local parts of 64 pass, 65 do not. */
	memset(s, 'l', 64);
	strcpy(s + 64, "@example.com");
	ok(ind_normalize(IND_EMAIL, s, &out, &why) == 0, "64-char local");
	free(out);
	memset(s, 'l', 65);
	strcpy(s + 65, "@example.com");
	ok(ind_normalize(IND_EMAIL, s, &out, &why) == -1, "65-char local");
	free(s);
}

static void
test_detect(void)
{
	size_t	 i;

	for (i = 0; i < nitems(detect); i++)
		is_int(ind_detect(detect[i].in), detect[i].want, detect[i].in);
	is_int(ind_detect(NULL), IND_INVALID, "detect(NULL)");

	/* Every valid case is detected as some kind that accepts it. */
	for (i = 0; i < nitems(valid); i++) {
		enum ind_kind k = ind_detect(valid[i].in);

		if (k == IND_INVALID ||
		    ind_normalize(k, valid[i].in, NULL, NULL) != 0)
			break;
	}
	ok(i == nitems(valid), "every valid case is detected");
}

int
main(void)
{
	test_kinds();
	test_examples();
	test_valid();
	test_invalid();
	test_common();
	test_lengths();
	test_detect();
	return tap_done();
}
