/*
 * tools/iocaggctl.c -- iocaggctl(8): administer an iocagg database.
 *
 *	iocaggctl [-f file] check
 *	iocaggctl [-f file] migrate [-l]
 *	iocaggctl [-f file] user add [-a] [-n name] [-p file] [-r role] email
 *	iocaggctl [-f file] token add email note
 *	iocaggctl [-f file] key generate file
 *	iocaggctl [-f file] key rotate newkeyfile
 *	iocaggctl [-f file] secret set [-l] name
 *	iocaggctl [-f file] runners sync
 *
 * Secrets it creates (generated passwords, API tokens) are printed once
 * on standard output and stored only as hashes.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "auth.h"
#include "compat.h"
#include "conf.h"
#include "db.h"
#include "log.h"
#include "nanoid.h"
#include "runner.h"
#include "secret.h"
#include "xmalloc.h"

#define MIGRATION_LOCK	"7216451236601"	/* pg_advisory_lock key */
#define SQL_FILE_MAX	(16 * 1024 * 1024)

enum stmt {
	STMT_MIG_TABLE,
	STMT_MIG_LOCK,
	STMT_MIG_DONE,
	STMT_MIG_RECORD,
	STMT_USER_ADD,
	STMT_USER_FIND,
	STMT_TOKEN_ADD,
	STMT_SECRET_SET,
	STMT_SECRET_LINK,
	STMT_ROTATE_LOCK,
	STMT_ROTATE_LIST,
	STMT_ROTATE_SET,
	STMT_RUNNER_ENABLED,
	STMT__MAX
};

static const char *const stmts[STMT__MAX] = {
	/* STMT_MIG_TABLE */
	"CREATE TABLE IF NOT EXISTS schema_migrations ("
	"version TEXT PRIMARY KEY, applied_at TIMESTAMP(3) NOT NULL "
	"DEFAULT (now() AT TIME ZONE 'utc'))",
	/* STMT_MIG_LOCK: one migrator at a time, across hosts. */
	"SELECT pg_advisory_lock(" MIGRATION_LOCK ")",
	/* STMT_MIG_DONE */
	"SELECT 1 FROM schema_migrations WHERE version = $1",
	/* STMT_MIG_RECORD */
	"INSERT INTO schema_migrations (version) VALUES ($1)",
	/* STMT_USER_ADD: local accounts; admins are enabled at once. */
	"INSERT INTO users (provider, enabled, email, verified, name, "
	"roles, password) VALUES ('local', true, $1, true, $2, "
	"$3::text[], $4) RETURNING id",
	/* STMT_USER_FIND */
	"SELECT id FROM users WHERE lower(email) = lower($1) AND "
	"provider = 'local'",
	/* STMT_TOKEN_ADD */
	"INSERT INTO api_tokens (id, note, token, user_id) "
	"VALUES ($1, $2, $3, $4)",
	/* STMT_SECRET_SET: created by the system user. */
	"INSERT INTO secrets (name, value, created_user_id) SELECT $1, "
	"$2::bytea, id FROM users WHERE email = 'system@iocagg.invalid' AND "
	"provider = 'local' ON CONFLICT (name) DO UPDATE SET value = "
	"EXCLUDED.value RETURNING id",
	/* STMT_SECRET_LINK: fill the empty slots of the same name. */
	"UPDATE source_secrets SET secret_id = $1 WHERE name = $2 AND "
	"secret_id IS NULL",
	/* STMT_ROTATE_LOCK: no secret is written meanwhile; reads go on. */
	"LOCK TABLE secrets IN EXCLUSIVE MODE",
	/* STMT_ROTATE_LIST */
	"SELECT id, name, value FROM secrets ORDER BY name, id",
	/* STMT_ROTATE_SET */
	"UPDATE secrets SET value = $2::bytea WHERE id = $1",
	/* STMT_RUNNER_ENABLED: a runner switch's override, if any. */
	"SELECT value FROM server_config WHERE key = $1",
};

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr,
	    "usage: iocaggctl [-f file] check\n"
	    "       iocaggctl [-f file] migrate [-l]\n"
	    "       iocaggctl [-f file] user add [-a] [-n name] [-p file] "
	    "[-r role] email\n"
	    "       iocaggctl [-f file] token add email note\n"
	    "       iocaggctl [-f file] key generate file\n"
	    "       iocaggctl [-f file] key rotate newkeyfile\n"
	    "       iocaggctl [-f file] secret set [-l] name\n"
	    "       iocaggctl [-f file] runners sync\n");
	exit(2);
}

static struct db *
connect_or_die(void)
{
	struct db	*db;

	db = db_open();
	if (db_ensure(db) == -1) {
		fprintf(stderr, "iocaggctl: cannot connect to the database "
		    "(database_url in %s)\n", conf_path() ? conf_path() :
		    "the defaults");
		exit(1);
	}
	return db;
}

static int
is_migration(const char *name)
{
	size_t	 len = strlen(name);

	return len > 9 && strspn(name, "0123456789") == 4 &&
	    name[4] == '-' && strcmp(name + len - 4, ".sql") == 0;
}

static int
namecmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *
read_file(const char *path)
{
	FILE		*f;
	struct stat	 st;
	char		*buf;

	if ((f = fopen(path, "re")) == NULL)
		return NULL;
	if (fstat(fileno(f), &st) == -1 || st.st_size > SQL_FILE_MAX) {
		(void)fclose(f);
		errno = EFBIG;
		return NULL;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	if (fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		free(buf);
		(void)fclose(f);
		return NULL;
	}
	buf[st.st_size] = '\0';
	(void)fclose(f);
	return buf;
}

/*
 * Apply every pending migration of sql_dir in order, each in its own
 * transaction together with its schema_migrations row: a failed file
 * leaves nothing behind and stops the run.
 */
static int
cmd_migrate(int argc, char *argv[])
{
	struct db	*db = NULL;
	DIR		*d;
	struct dirent	*de;
	char		**names = NULL, *path, *sql, version[256];
	const char	*dir = conf_str("sql_dir"), *p[1];
	size_t		 n = 0, i;
	int		 ch, list = 0, applied = 0, rc = 1;
	PGresult	*pr;
	enum dbres	 res;

	while ((ch = getopt(argc, argv, "l")) != -1) {
		switch (ch) {
		case 'l':
			list = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "iocaggctl: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	while ((de = readdir(d)) != NULL) {
		if (!is_migration(de->d_name))
			continue;
		names = xreallocarray(names, n + 1, sizeof(char *));
		names[n++] = xstrdup(de->d_name);
	}
	(void)closedir(d);
	qsort(names, n, sizeof(char *), namecmp);

	db = connect_or_die();
	if (db_cmd(db, "SET statement_timeout = 0", 0, NULL) != DB_OK ||
	    db_cmd(db, "SET client_min_messages = warning", 0, NULL) !=
	    DB_OK ||
	    db_cmd(db, stmts[STMT_MIG_TABLE], 0, NULL) != DB_OK ||
	    db_cmd(db, stmts[STMT_MIG_LOCK], 0, NULL) != DB_OK) {
		fprintf(stderr, "iocaggctl: cannot prepare the migration "
		    "table\n");
		goto out;
	}
	for (i = 0; i < n; i++) {
		(void)strlcpy(version, names[i], sizeof(version));
		version[strlen(version) - 4] = '\0';
		p[0] = version;
		pr = db_exec(db, stmts[STMT_MIG_DONE], 1, p, &res);
		if (res != DB_OK) {
			PQclear(pr);
			goto out;
		}
		if (PQntuples(pr) == 1) {
			PQclear(pr);
			if (list)
				printf("applied  %s\n", version);
			continue;
		}
		PQclear(pr);
		if (list) {
			printf("pending  %s\n", version);
			continue;
		}
		xasprintf(&path, "%s/%s", dir, names[i]);
		sql = read_file(path);
		if (sql == NULL) {
			fprintf(stderr, "iocaggctl: %s: %s\n", path,
			    strerror(errno));
			free(path);
			goto out;
		}
		free(path);
		if (db_begin(db) != DB_OK) {
			free(sql);
			goto out;
		}
		/* A migration file is trusted SQL shipped with the suite. */
		pr = PQexec(db_conn(db), sql);
		free(sql);
		if (PQresultStatus(pr) != PGRES_COMMAND_OK &&
		    PQresultStatus(pr) != PGRES_TUPLES_OK) {
			fprintf(stderr, "iocaggctl: %s failed, nothing of it "
			    "was applied: %s", version,
			    PQresultErrorMessage(pr));
			PQclear(pr);
			db_rollback(db);
			goto out;
		}
		PQclear(pr);
		if (db_cmd(db, stmts[STMT_MIG_RECORD], 1, p) != DB_OK ||
		    db_commit(db) != DB_OK) {
			db_rollback(db);
			goto out;
		}
		printf("applied  %s\n", version);
		applied++;
	}
	if (!list)
		printf("%d migration%s applied, %zu known\n", applied,
		    applied == 1 ? "" : "s", n);
	rc = 0;
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	db_close(db);
	return rc;
}

/*
 * Read a password from "path" ("-" for standard input): the first
 * line, without its newline.
 */
static char *
read_password(const char *path)
{
	FILE	*f;
	char	*line = NULL;
	size_t	 cap = 0;
	ssize_t	 len;

	f = strcmp(path, "-") == 0 ? stdin : fopen(path, "re");
	if (f == NULL)
		return NULL;
	len = getline(&line, &cap, f);
	if (f != stdin)
		(void)fclose(f);
	if (len <= 0) {
		free(line);
		return NULL;
	}
	line[strcspn(line, "\r\n")] = '\0';
	return line;
}

static int
cmd_user_add(int argc, char *argv[])
{
	struct db	*db;
	PGresult	*pr;
	enum dbres	 res;
	char		 hash[crypto_pwhash_STRBYTES], gen[25];
	char		*pw = NULL, *roles = NULL, *tmp;
	const char	*name = NULL, *pwfile = NULL, *email, *p[4];
	int		 ch, admin = 0, generated = 0, rc = 1;

	roles = xstrdup("");
	while ((ch = getopt(argc, argv, "an:p:r:")) != -1) {
		switch (ch) {
		case 'a':
			admin = 1;
			break;
		case 'n':
			name = optarg;
			break;
		case 'p':
			pwfile = optarg;
			break;
		case 'r':
			if (strspn(optarg, "abcdefghijklmnopqrstuvwxyz_") !=
			    strlen(optarg) || *optarg == '\0') {
				fprintf(stderr, "iocaggctl: role '%s': use "
				    "a-z and _ only\n", optarg);
				free(roles);
				return 2;
			}
			xasprintf(&tmp, "%s%s%s", roles, *roles ? "," : "",
			    optarg);
			free(roles);
			roles = tmp;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1)
		usage();
	email = argv[optind];
	if (strchr(email, '@') == NULL || strlen(email) > 320) {
		fprintf(stderr, "iocaggctl: '%s' is not an e-mail address\n",
		    email);
		free(roles);
		return 2;
	}
	if (admin) {
		xasprintf(&tmp, "%s%s%s", roles, *roles ? "," : "",
		    ROLE_ADMIN);
		free(roles);
		roles = tmp;
	}
	if (pwfile != NULL) {
		if ((pw = read_password(pwfile)) == NULL) {
			fprintf(stderr, "iocaggctl: cannot read a password "
			    "from %s\n", pwfile);
			free(roles);
			return 1;
		}
	} else {
		random_alnum(gen, 24);
		pw = xstrdup(gen);
		sodium_memzero(gen, sizeof(gen));
		generated = 1;
	}
	if (strlen(pw) < PASSWORD_MIN || strlen(pw) > PASSWORD_MAX) {
		fprintf(stderr, "iocaggctl: the password must have %d to %d "
		    "characters\n", PASSWORD_MIN, PASSWORD_MAX);
		freezero_str(pw);
		free(roles);
		return 2;
	}
	if (password_hash(pw, hash, sizeof(hash)) == -1) {
		fprintf(stderr, "iocaggctl: password hashing failed\n");
		freezero_str(pw);
		free(roles);
		return 1;
	}

	db = connect_or_die();
	xasprintf(&tmp, "{%s}", roles);
	free(roles);
	roles = tmp;
	p[0] = email;
	p[1] = name != NULL ? name : email;
	p[2] = roles;
	p[3] = hash;
	pr = db_exec(db, stmts[STMT_USER_ADD], 4, p, &res);
	switch (res) {
	case DB_OK:
		printf("user %s created with id %s\n", email,
		    PQgetvalue(pr, 0, 0));
		if (generated)
			printf("password: %s\n", pw);
		rc = 0;
		break;
	case DB_CONFLICT:
		fprintf(stderr, "iocaggctl: a local user %s already "
		    "exists\n", email);
		break;
	default:
		fprintf(stderr, "iocaggctl: cannot create the user\n");
		break;
	}
	PQclear(pr);
	sodium_memzero(hash, sizeof(hash));
	freezero_str(pw);
	free(roles);
	db_close(db);
	return rc;
}

static int
cmd_token_add(int argc, char *argv[])
{
	struct db	*db;
	PGresult	*pr;
	enum dbres	 res;
	char		 id[NANOID_LEN + 1], secret[TOKEN_SECRET_LEN + 1];
	char		 hash[TOKEN_HASH_LEN + 1], uid[64];
	const char	*p[4];
	int		 rc = 1;

	if (argc != 3 || *argv[2] == '\0' || strlen(argv[2]) > 200)
		usage();
	db = connect_or_die();
	p[0] = argv[1];
	pr = db_exec(db, stmts[STMT_USER_FIND], 1, p, &res);
	if (res != DB_OK || PQntuples(pr) != 1) {
		fprintf(stderr, "iocaggctl: no local user %s\n", argv[1]);
		PQclear(pr);
		db_close(db);
		return 1;
	}
	(void)strlcpy(uid, PQgetvalue(pr, 0, 0), sizeof(uid));
	PQclear(pr);

	nanoid(id);
	random_alnum(secret, TOKEN_SECRET_LEN);
	token_hash(secret, hash);
	p[0] = id;
	p[1] = argv[2];
	p[2] = hash;
	p[3] = uid;
	switch (db_cmd(db, stmts[STMT_TOKEN_ADD], 4, p)) {
	case DB_OK:
		/* Shown once; only the hash is stored. */
		printf("%s_%s\n", id, secret);
		rc = 0;
		break;
	case DB_CONFLICT:
		fprintf(stderr, "iocaggctl: %s already has a token noted "
		    "'%s'\n", argv[1], argv[2]);
		break;
	default:
		fprintf(stderr, "iocaggctl: cannot create the token\n");
		break;
	}
	sodium_memzero(secret, sizeof(secret));
	db_close(db);
	return rc;
}

static int
cmd_key_generate(int argc, char *argv[])
{
	char	 err[512];

	if (argc != 2)
		usage();
	if (secret_key_generate(argv[1], err, sizeof(err)) == -1) {
		fprintf(stderr, "iocaggctl: %s\n", err);
		return 1;
	}
	printf("key written to %s\n", argv[1]);
	return 0;
}

/*
 * Key rotation.  lib/secret.c holds the one key of the process (the
 * current one, from secret_key_file); the new key lives here only.
 */
#define RK_KEYLEN	crypto_aead_xchacha20poly1305_ietf_KEYBYTES
#define RK_NONCE	crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define RK_TAG		crypto_aead_xchacha20poly1305_ietf_ABYTES

/*
 * Read a key file as lib/secret.c does: 32 raw bytes, or 64 hex digits
 * with an optional newline.  0, or -1 with a message in "err".
 */
static int
rk_key_read(const char *path, unsigned char *key, char *err, size_t errsz)
{
	unsigned char	 buf[2 * RK_KEYLEN + 2];
	ssize_t		 n;
	size_t		 len;
	int		 fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		(void)snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	n = read(fd, buf, sizeof(buf));
	(void)close(fd);
	if (n < 0) {
		(void)snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	len = (size_t)n;
	if (len == RK_KEYLEN) {
		memcpy(key, buf, RK_KEYLEN);
		rc = 0;
	} else if ((len == 2 * RK_KEYLEN || (len == 2 * RK_KEYLEN + 1 &&
	    buf[len - 1] == '\n')) && sodium_hex2bin(key, RK_KEYLEN,
	    (const char *)buf, 2 * RK_KEYLEN, NULL, NULL, NULL) == 0)
		rc = 0;
	else
		(void)snprintf(err, errsz, "%s: not a 32-byte key (32 raw "
		    "bytes or 64 hex digits)", path);
	sodium_memzero(buf, sizeof(buf));
	return rc;
}

/* "plain" encrypted under "key" as a bytea literal "\x<hex>". */
static char *
rk_encrypt(const unsigned char *key, const char *plain)
{
	unsigned char	*blob;
	unsigned long long clen;
	size_t		 plen = strlen(plain), blen;
	char		*out;

	blen = RK_NONCE + plen + RK_TAG;
	blob = xmalloc(blen);
	randombytes_buf(blob, RK_NONCE);
	(void)crypto_aead_xchacha20poly1305_ietf_encrypt(blob + RK_NONCE,
	    &clen, (const unsigned char *)plain, plen, NULL, 0, NULL, blob,
	    key);
	out = xmalloc(2 + 2 * blen + 1);
	out[0] = '\\';
	out[1] = 'x';
	(void)sodium_bin2hex(out + 2, 2 * blen + 1, blob, blen);
	sodium_memzero(blob, blen);
	free(blob);
	return out;
}

/* The plaintext of bytea "hex" under "key", or NULL. */
static char *
rk_decrypt(const unsigned char *key, const char *hex)
{
	unsigned char	*blob;
	unsigned long long plen;
	size_t		 hlen, blen;
	char		*plain = NULL;

	if (strncmp(hex, "\\x", 2) != 0)
		return NULL;
	hlen = strlen(hex + 2);
	if (hlen % 2 != 0 || hlen / 2 < RK_NONCE + RK_TAG)
		return NULL;
	blen = hlen / 2;
	blob = xmalloc(blen);
	if (sodium_hex2bin(blob, blen, hex + 2, hlen, NULL, NULL,
	    NULL) == 0) {
		plain = xmalloc(blen - RK_NONCE - RK_TAG + 1);
		if (crypto_aead_xchacha20poly1305_ietf_decrypt(
		    (unsigned char *)plain, &plen, NULL, blob + RK_NONCE,
		    blen - RK_NONCE, NULL, 0, blob, key) == 0)
			plain[plen] = '\0';
		else {
			free(plain);
			plain = NULL;
		}
	}
	sodium_memzero(blob, blen);
	free(blob);
	return plain;
}

/*
 * Re-encrypt every secret, decrypted with the current key, under the
 * key in "newkeyfile", in one transaction that holds the secrets table
 * against writes: either every value is rotated or none is.  A value
 * that the new key already opens (a rotation run twice) is kept.
 */
static int
cmd_key_rotate(int argc, char *argv[])
{
	struct db	*db = NULL;
	PGresult	*pr = NULL;
	enum dbres	 res;
	unsigned char	*newkey, *oldkey;
	char		 err[512], *plain, *enc, *check;
	const char	*p[2], *path, *cur = conf_str("secret_key_file");
	int		 i, n, done = 0, kept = 0, rc = 1;

	if (argc != 2)
		usage();
	path = argv[1];
	if (secret_key_load(err, sizeof(err)) == -1) {
		fprintf(stderr, "iocaggctl: the current key: %s\n", err);
		return 1;
	}
	newkey = sodium_malloc(RK_KEYLEN);
	oldkey = sodium_malloc(RK_KEYLEN);
	if (newkey == NULL || oldkey == NULL) {
		fprintf(stderr, "iocaggctl: out of memory\n");
		goto out;
	}
	if (rk_key_read(path, newkey, err, sizeof(err)) == -1) {
		fprintf(stderr, "iocaggctl: the new key: %s\n", err);
		goto out;
	}
	if (rk_key_read(cur, oldkey, err, sizeof(err)) == 0 &&
	    sodium_memcmp(oldkey, newkey, RK_KEYLEN) == 0) {
		fprintf(stderr, "iocaggctl: %s holds the current key "
		    "(secret_key_file %s): nothing to rotate\n", path, cur);
		goto out;
	}

	db = connect_or_die();
	if (db_begin(db) != DB_OK ||
	    db_cmd(db, stmts[STMT_ROTATE_LOCK], 0, NULL) != DB_OK) {
		fprintf(stderr, "iocaggctl: cannot lock the secrets table\n");
		goto fail;
	}
	pr = db_exec(db, stmts[STMT_ROTATE_LIST], 0, NULL, &res);
	if (res != DB_OK) {
		fprintf(stderr, "iocaggctl: cannot read the secrets\n");
		goto fail;
	}
	n = PQntuples(pr);
	for (i = 0; i < n; i++) {
		/* Already under the new key: a second run. */
		if ((plain = rk_decrypt(newkey, PQgetvalue(pr, i, 2))) !=
		    NULL) {
			freezero_str(plain);
			kept++;
			continue;
		}
		if ((plain = secret_decrypt_hex(PQgetvalue(pr, i, 2))) ==
		    NULL) {
			fprintf(stderr, "iocaggctl: secret %s (%s) does not "
			    "decrypt with the current key; nothing was "
			    "changed\n", PQgetvalue(pr, i, 1),
			    PQgetvalue(pr, i, 0));
			goto fail;
		}
		enc = rk_encrypt(newkey, plain);
		/* Never store what the new key would not open again. */
		check = rk_decrypt(newkey, enc);
		if (check == NULL || strcmp(check, plain) != 0) {
			fprintf(stderr, "iocaggctl: re-encryption of secret "
			    "%s failed its check; nothing was changed\n",
			    PQgetvalue(pr, i, 1));
			freezero_str(check);
			freezero_str(plain);
			free(enc);
			goto fail;
		}
		freezero_str(check);
		freezero_str(plain);
		p[0] = PQgetvalue(pr, i, 0);
		p[1] = enc;
		res = db_cmd(db, stmts[STMT_ROTATE_SET], 2, p);
		free(enc);
		if (res != DB_OK) {
			fprintf(stderr, "iocaggctl: cannot store secret %s; "
			    "nothing was changed\n", PQgetvalue(pr, i, 1));
			goto fail;
		}
		done++;
	}
	if (db_commit(db) != DB_OK) {
		fprintf(stderr, "iocaggctl: the commit failed; nothing was "
		    "changed\n");
		goto fail;
	}
	printf("%d secret%s re-encrypted with the key in %s", done,
	    done == 1 ? "" : "s", path);
	if (kept > 0)
		printf(" (%d already were)", kept);
	printf("\nnow set secret_key_file = %s in %s and restart the iocagg "
	    "programs:\nthey still hold the old key\n", path,
	    conf_path() != NULL ? conf_path() : "the configuration");
	rc = 0;
	goto out;
fail:
	db_rollback(db);
out:
	PQclear(pr);
	if (newkey != NULL)
		sodium_free(newkey);
	if (oldkey != NULL)
		sodium_free(oldkey);
	db_close(db);
	return rc;
}

/*
 * Store secret "name" (value: first line of standard input), encrypted
 * with the configured key; -l links it to every empty slot of that name.
 */
static int
cmd_secret_set(int argc, char *argv[])
{
	struct db	*db;
	PGresult	*pr;
	enum dbres	 res;
	char		 err[512], *val, *enc, id[64];
	const char	*p[2];
	int		 ch, link = 0, rc = 1;

	while ((ch = getopt(argc, argv, "l")) != -1) {
		switch (ch) {
		case 'l':
			link = 1;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1 || *argv[optind] == '\0' ||
	    strlen(argv[optind]) > 100)
		usage();
	if (secret_key_load(err, sizeof(err)) == -1) {
		fprintf(stderr, "iocaggctl: %s\n", err);
		return 1;
	}
	if ((val = read_password("-")) == NULL || *val == '\0') {
		fprintf(stderr, "iocaggctl: no value on standard input\n");
		freezero_str(val);
		return 1;
	}
	enc = secret_encrypt_hex(val);
	freezero_str(val);
	db = connect_or_die();
	p[0] = argv[optind];
	p[1] = enc;
	/* The secret and its links land together, or not at all. */
	if (db_begin(db) != DB_OK) {
		fprintf(stderr, "iocaggctl: cannot store the secret\n");
		pr = NULL;
		goto out;
	}
	pr = db_exec(db, stmts[STMT_SECRET_SET], 2, p, &res);
	if (res != DB_OK || PQntuples(pr) != 1) {
		fprintf(stderr, "iocaggctl: cannot store the secret\n");
		db_rollback(db);
		goto out;
	}
	(void)strlcpy(id, PQgetvalue(pr, 0, 0), sizeof(id));
	if (link) {
		p[0] = id;
		p[1] = argv[optind];
		if (db_cmd(db, stmts[STMT_SECRET_LINK], 2, p) != DB_OK) {
			fprintf(stderr, "iocaggctl: cannot link the secret; "
			    "nothing was stored\n");
			db_rollback(db);
			goto out;
		}
	}
	if (db_commit(db) != DB_OK) {
		fprintf(stderr, "iocaggctl: cannot store the secret\n");
		db_rollback(db);
		goto out;
	}
	printf("secret %s stored with id %s\n", argv[optind], id);
	rc = 0;
out:
	PQclear(pr);
	free(enc);
	db_close(db);
	return rc;
}

/*
 * runners sync: Init to each runner with every source of its kind that
 * has code, replacing what the runner holds (a runner keeps code in
 * memory only).  A runner that cannot be reached is a failure unless
 * its kind is disabled in server_config.
 */
static int
cmd_runners_sync(void)
{
	static const char *const kinds[] = { "python", "javascript" };
	struct db	*db;
	PGresult	*pr;
	enum dbres	 res;
	enum runner_res	 rr;
	const char	*p[1];
	char		 err[1024], key[64], *addr;
	size_t		 i, n;
	int		 enabled, rc = 0;

	db = connect_or_die();
	for (i = 0; i < nitems(kinds); i++) {
		/* The defaults of fcgi/config.c: Python on, JavaScript off. */
		enabled = i == 0;
		(void)snprintf(key, sizeof(key), "%s_runner_enabled",
		    kinds[i]);
		p[0] = key;
		pr = db_exec(db, stmts[STMT_RUNNER_ENABLED], 1, p, &res);
		if (res == DB_OK && PQntuples(pr) > 0)
			enabled = strcmp(PQgetvalue(pr, 0, 0), "true") == 0;
		PQclear(pr);
		addr = runner_address(db, kinds[i]);
		rr = runner_init(db, kinds[i], &n, err, sizeof(err));
		if (rr == RUNNER_OK)
			printf("%s runner at %s: %zu source%s sent\n",
			    kinds[i], addr, n, n == 1 ? "" : "s");
		else if (rr == RUNNER_UNREACHABLE && !enabled)
			printf("%s runner at %s: disabled and not reached, "
			    "skipped\n", kinds[i], addr);
		else {
			if (rr == RUNNER_UNREACHABLE)
				fprintf(stderr, "iocaggctl: %s\n", err);
			else
				fprintf(stderr, "iocaggctl: the %s runner at "
				    "%s refused: %s\n", kinds[i], addr, err);
			rc = 1;
		}
		free(addr);
	}
	db_close(db);
	return rc;
}

int
main(int argc, char *argv[])
{
	const char	*file = NULL;
	char		 err[512];
	int		 ch;

	log_init("iocaggctl", 0);
	while ((ch = getopt(argc, argv, "+f:")) != -1) {
		switch (ch) {
		case 'f':
			file = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	if (conf_load(file, err, sizeof(err)) == -1) {
		fprintf(stderr, "iocaggctl: %s\n", err);
		return 1;
	}
	log_set_level("warning");
	if (sodium_init() < 0) {
		fprintf(stderr, "iocaggctl: libsodium failed to start\n");
		return 1;
	}
	optind = 1;	/* each subcommand parses its own options */
	if (strcmp(argv[0], "check") == 0 && argc == 1) {
		conf_dump();
		return 0;
	}
	if (strcmp(argv[0], "migrate") == 0)
		return cmd_migrate(argc, argv);
	if (argc >= 2 && strcmp(argv[0], "user") == 0 &&
	    strcmp(argv[1], "add") == 0)
		return cmd_user_add(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[0], "token") == 0 &&
	    strcmp(argv[1], "add") == 0)
		return cmd_token_add(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[0], "key") == 0 &&
	    strcmp(argv[1], "generate") == 0)
		return cmd_key_generate(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[0], "key") == 0 &&
	    strcmp(argv[1], "rotate") == 0)
		return cmd_key_rotate(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[0], "secret") == 0 &&
	    strcmp(argv[1], "set") == 0)
		return cmd_secret_set(argc - 1, argv + 1);
	if (argc == 2 && strcmp(argv[0], "runners") == 0 &&
	    strcmp(argv[1], "sync") == 0)
		return cmd_runners_sync();
	usage();
}
