/*
 * tests/unit/t-feed.c -- the feed parsers (lib/feed.c and the formats
 * of lib/sources/{urlhaus,phishtank,openphish,threatfox}.c): records in
 * the real shapes become COPY rows, malformed records are skipped and
 * counted, and files that are not the feed are refused as a whole.
 * Each input is also fed one byte at a time, which must give the same
 * rows (a download hands the parser arbitrary chunks).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "feed.h"
#include "tap.h"
#include "xmalloc.h"

/* Parse "in" in chunks of "chunk" bytes (0: whole); returns rows, the
 * COPY text in *copy. */
static long long
parse(const struct feed_fmt *fmt, const char *in, size_t chunk, char **copy,
    long long *skipped, char *err)
{
	size_t	 len = 0;

	*copy = NULL;
	return feed_parse_buffer(fmt, in, strlen(in), chunk, copy, &len,
	    skipped, err, 256);
}

static void
check(const struct feed_fmt *fmt, const char *name, const char *in,
    long long rows, long long skipped, const char *copy)
{
	char		*c = NULL, *c1 = NULL, err[256] = "";
	long long	 r, r1, s = -1, s1 = -1;

	r = parse(fmt, in, 0, &c, &s, err);
	if (!is_int(r, rows, name))
		printf("#   error: %s\n", err);
	if (rows >= 0) {
		is_int(s, skipped, "  ... skipped records");
		if (copy != NULL)
			is_str(c != NULL ? c : "", copy, "  ... COPY rows");
	}
	/* Byte by byte, as a download may hand it over. */
	r1 = parse(fmt, in, 1, &c1, &s1, err);
	ok(r1 == r && s1 == s && c != NULL && c1 != NULL &&
	    strcmp(c, c1) == 0, "  ... the same one byte at a time");
	free(c);
	free(c1);
}

#define UH_HEAD \
	"################################################################\r\n" \
	"# abuse.ch URLhaus Database Dump (CSV)                         #\r\n" \
	"# Last updated: 2024-01-31 10:00:12 (UTC)                      #\r\n" \
	"################################################################\r\n" \
	"#\r\n" \
	"# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter\r\n"

static void
t_urlhaus(void)
{
	check(&feed_urlhaus, "URLhaus CSV with its comment header", UH_HEAD
	    "\"2772386\",\"2024-01-31 09:59:05\",\"http://1.2.3.4:5678/i\","
	    "\"online\",\"2024-01-31 09:59:05\",\"malware_download\","
	    "\"32-bit,elf,mips,Mozi\",\"https://urlhaus.abuse.ch/url/2772386/\","
	    "\"geenensp\"\r\n"
	    "\"2772385\",\"2024-01-31 09:58:00\",\"http://x.example/a\tb\","
	    "\"offline\",\"\",\"malware_download\",\"\","
	    "\"https://urlhaus.abuse.ch/url/2772385/\",\"abuse_ch\"\r\n",
	    2, 0,
	    "2772386\t2024-01-31 09:59:05\thttp://1.2.3.4:5678/i\tonline\t"
	    "2024-01-31 09:59:05\tmalware_download\t32-bit,elf,mips,Mozi\t"
	    "https://urlhaus.abuse.ch/url/2772386/\tgeenensp\n"
	    "2772385\t2024-01-31 09:58:00\thttp://x.example/a\\tb\toffline\t"
	    "\\N\tmalware_download\t\\N\thttps://urlhaus.abuse.ch/url/2772385/"
	    "\tabuse_ch\n");
	check(&feed_urlhaus, "URLhaus: quotes, a bad date and a short row",
	    "\"1\",\"2024-01-31 09:59:05\",\"http://a/\"\"q\"\"\",\"online\","
	    "\"\",\"t\",\"\",\"l\",\"r\"\n"
	    "\"2\",\"2024-02-30 09:59:05\",\"http://b/\",\"online\",\"\",\"t\","
	    "\"\",\"l\",\"r\"\n"
	    "\"3\",\"2024-01-31 09:59:05\",\"http://c/\"\n"
	    "\"4\",\"2024-01-31 09:59:05\",\"http://d/\",\"online\",\"\",\"t\","
	    "\"\",\"l\",\"r\"\n",
	    2, 2, NULL);
	check(&feed_urlhaus, "URLhaus: blank lines are nothing",
	    "\r\n  \n\t\n\"1\",\"2024-01-31 09:59:05\",\"http://a/\",\"online\","
	    "\"\",\"t\",\"\",\"l\",\"r\"\n \n", 1, 0, NULL);
	check(&feed_urlhaus, "URLhaus: an HTML page is refused",
	    "<html><body>502 Bad Gateway</body></html>\n", -1, 0, NULL);
	check(&feed_urlhaus, "URLhaus: an unterminated quote is refused",
	    UH_HEAD "\"1\",\"2024-01-31 09:59:05\",\"http://a/", -1, 0, NULL);
	check(&feed_urlhaus, "URLhaus: only comments is refused", UH_HEAD,
	    -1, 0, NULL);
}

static void
t_phishtank(void)
{
	check(&feed_phishtank, "PhishTank JSON array",
	    "[{\"phish_id\":\"8425150\",\"url\":\"https://login.example/x?a=\\\"b\\\"\","
	    "\"phish_detail_url\":\"http://www.phishtank.com/phish_detail.php?phish_id=8425150\","
	    "\"submission_time\":\"2024-01-31T10:44:22+00:00\",\"verified\":\"yes\","
	    "\"verification_time\":\"2024-01-31T12:50:51+02:00\",\"online\":\"yes\","
	    "\"details\":[{\"ip_address\":\"192.0.2.1\",\"cidr_block\":\"192.0.2.0/24\"}],"
	    "\"target\":\"Other\"},\n"
	    " {\"phish_id\":17,\"url\":\"http://b/\",\"phish_detail_url\":\"d\","
	    "\"submission_time\":\"2024-01-01T00:00:00+00:00\","
	    "\"verification_time\":\"2024-01-01T00:00:01+00:00\",\"target\":\"PayPal\","
	    "\"details\":[]}]",
	    2, 0,
	    "8425150\thttp://www.phishtank.com/phish_detail.php?phish_id=8425150\t"
	    "https://login.example/x?a=\"b\"\t2024-01-31 10:44:22\t"
	    "2024-01-31 10:50:51\tOther\t"
	    "[{\"ip_address\":\"192.0.2.1\",\"cidr_block\":\"192.0.2.0\\\\/24\"}]\n"
	    "17\td\thttp://b/\t2024-01-01 00:00:00\t2024-01-01 00:00:01\tPayPal\t[]\n");
	check(&feed_phishtank, "PhishTank: details jsonb would refuse are dropped",
	    "[{\"phish_id\":\"5\",\"url\":\"http://b/\",\"phish_detail_url\":\"d\","
	    "\"submission_time\":\"2024-01-01T00:00:00Z\",\"target\":\"Other\","
	    "\"details\":[{\"a\":\"x\\u0000y\",\"b\":NaN,\"c\":\"ok\",\"d\":[1]},7]}]",
	    1, 0,
	    "5\td\thttp://b/\t2024-01-01 00:00:00\t2024-01-01 00:00:00\tOther\t"
	    "[{\"c\":\"ok\"}]\n");
	check(&feed_phishtank, "PhishTank: a record without an id is skipped",
	    "[{\"url\":\"http://a/\"},{\"phish_id\":\"1\",\"url\":\"http://b/\","
	    "\"submission_time\":\"2024-01-01T00:00:00+00:00\"}]", 1, 1, NULL);
	check(&feed_phishtank, "PhishTank: a truncated array is refused",
	    "[{\"phish_id\":\"1\",\"url\":\"http://b/\","
	    "\"submission_time\":\"2024-01-01T00:00:00+00:00\"},{\"phish_id\":",
	    -1, 0, NULL);
	check(&feed_phishtank, "PhishTank: not JSON is refused",
	    "phish_id,url\n1,http://a/\n", -1, 0, NULL);
}

static void
t_openphish(void)
{
	check(&feed_openphish, "OpenPhish lines",
	    "https://a.example/login\r\nhttp://b.example/\n\n  \nftp://c/\n"
	    "https://d.example/x", 3, 1,
	    "https://a.example/login\nhttp://b.example/\nhttps://d.example/x\n");
	check(&feed_openphish, "OpenPhish: invalid UTF-8 is skipped",
	    "https://a.example/\xff\nhttps://b.example/\n"
	    "https://c.example/\n", 2, 1, NULL);
}

static void
t_threatfox(void)
{
	check(&feed_threatfox, "ThreatFox JSON export",
	    "{\n\"1234567\": [{\"ioc_value\": \"203.0.113.7:443\", "
	    "\"ioc_type\": \"ip:port\", \"threat_type\": \"botnet_cc\", "
	    "\"malware\": \"win.cobalt_strike\", \"malware_alias\": null, "
	    "\"malware_printable\": \"Cobalt Strike\", \"first_seen_utc\": "
	    "\"2024-01-31 10:00:00\", \"last_seen_utc\": null, "
	    "\"confidence_level\": 100, \"reference\": null, \"tags\": "
	    "\"CobaltStrike,c2\", \"anonymous\": \"0\", \"reporter\": \"abuse_ch\"}],\n"
	    "\"1234568\": [{\"ioc_value\": \"evil.example\", \"ioc_type\": \"domain\", "
	    "\"threat_type\": \"payload_delivery\", \"malware\": \"x\", "
	    "\"malware_printable\": \"X\", \"first_seen_utc\": \"2024-01-31 11:00:00\", "
	    "\"last_seen_utc\": \"2024-02-01 11:00:00\", \"confidence_level\": \"50\", "
	    "\"reference\": \"https://r/\", \"tags\": [\"a\", \"b\"], \"reporter\": \"r\"}]\n}",
	    2, 0,
	    "1234567\t203.0.113.7:443\tip:port\tbotnet_cc\twin.cobalt_strike\t"
	    "Cobalt Strike\t100\t2024-01-31 10:00:00\t\\N\t\\N\tCobaltStrike,c2\t"
	    "abuse_ch\n"
	    "1234568\tevil.example\tdomain\tpayload_delivery\tx\tX\t50\t"
	    "2024-01-31 11:00:00\t2024-02-01 11:00:00\thttps://r/\ta,b\tr\n");
	check(&feed_threatfox, "ThreatFox CSV export",
	    "################################################################\n"
	    "# ThreatFox IOCs: CSV export                                   #\n"
	    "# \"first_seen_utc\",\"ioc_id\",\"ioc_value\",\"ioc_type\",\"threat_type\","
	    "\"fk_malware\",\"malware_alias\",\"malware_printable\",\"last_seen_utc\","
	    "\"confidence_level\",\"reference\",\"tags\",\"anonymous\",\"reporter\"\n"
	    "\"2024-01-31 10:00:00\", \"1234567\", \"http://x.example/a\", \"url\", "
	    "\"payload_delivery\", \"elf.mirai\", \"None\", \"Mirai\", \"\", \"75\", "
	    "\"\", \"mirai\", \"0\", \"abuse_ch\"\n",
	    1, 0,
	    "1234567\thttp://x.example/a\turl\tpayload_delivery\telf.mirai\t"
	    "Mirai\t75\t2024-01-31 10:00:00\t\\N\t\\N\tmirai\tabuse_ch\n");
	check(&feed_threatfox, "ThreatFox: a no_result answer is refused",
	    "{\"query_status\": \"no_result\"}", -1, 0, NULL);
}

static void
t_values(void)
{
	char	 b[FEED_TS_LEN];

	ok(feed_ts("2024-01-31 10:44:22", 19, b) == 0 &&
	    strcmp(b, "2024-01-31 10:44:22") == 0, "timestamp, plain");
	ok(feed_ts("2024-01-31T00:30:00-01:30", 25, b) == 0 &&
	    strcmp(b, "2024-01-31 02:00:00") == 0, "timestamp with an offset");
	ok(feed_ts("2024-12-31T23:30:00.123Z", 24, b) == 0 &&
	    strcmp(b, "2024-12-31 23:30:00") == 0, "timestamp with Z");
	ok(feed_ts("2024-01-31 10:44:22 UTC", 23, b) == 0, "timestamp UTC");
	ok(feed_ts("2023-02-29 10:44:22", 19, b) == -1, "29 February 2023");
	ok(feed_ts("2024-01-31 25:44:22", 19, b) == -1, "hour 25");
	ok(feed_ts("yesterday at noon..", 19, b) == -1, "not a date");
	ok(feed_id_ok("123", 3) && !feed_id_ok("12a", 3) &&
	    !feed_id_ok("", 0), "ids");
}

static void
t_rhost(void)
{
	char	*lo, *hi;

	feed_rhost_range("Example.COM", &lo, &hi);
	is_str(lo, "moc.elpmaxe.", "rhost range: low");
	is_str(hi, "moc.elpmaxe/", "rhost range: high");
	free(lo);
	free(hi);
}

static void
t_quotes(void)
{
	const char	*in = UH_HEAD
	    "\"1\",\"2024-01-31 09:59:05\",\"http://a/,\"\"x\"\"\",\"online\","
	    "\"\",\"t\",\"a,b\",\"l\",\"r\"\r\n"
	    "\"2\",\"2024-01-31 09:59:05\",\"http://b/\",\"online\",\"\",\"t\","
	    "\"\",\"l\",\"r\"\r\n";
	char		*whole = NULL, err[256];
	long long	 sk;

	(void)parse(&feed_urlhaus, in, 0, &whole, &sk, err);
	ok(whole != NULL && strstr(whole, "http://a/,\"x\"\t") != NULL,
	    "quoted commas and quotes survive");
	free(whole);
}

int
main(void)
{
	t_urlhaus();
	t_phishtank();
	t_openphish();
	t_threatfox();
	t_values();
	t_rhost();
	t_quotes();
	return tap_done();
}
