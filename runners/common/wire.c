/*
 * runners/common/wire.c -- framing between the core and its workers (a
 * 4-byte big-endian length, then a protobuf-c message of
 * proto/worker.proto), descriptor passing with the zygote, and a
 * cleaner for text that leaves the sandbox.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "extern.h"
#include "xmalloc.h"

/*
 * The frame of message "m": length prefix and packed bytes.  Returns a
 * buffer of *len bytes the caller releases with free(), or NULL when
 * memory is short (a worker near its RLIMIT_AS must not abort).
 */
unsigned char *
wire_pack(const ProtobufCMessage *m, size_t *len)
{
	unsigned char	*buf;
	size_t		 n;

	n = protobuf_c_message_get_packed_size(m);
	if (n > UINT32_MAX - 4 || (buf = malloc(n + 4)) == NULL)
		return NULL;
	buf[0] = (unsigned char)(n >> 24);
	buf[1] = (unsigned char)(n >> 16);
	buf[2] = (unsigned char)(n >> 8);
	buf[3] = (unsigned char)n;
	(void)protobuf_c_message_pack(m, buf + 4);
	*len = n + 4;
	return buf;
}

static int
write_all(int fd, const unsigned char *p, size_t n)
{
	ssize_t	 w;

	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
read_all(int fd, unsigned char *p, size_t n)
{
	ssize_t	 r;

	while (n > 0) {
		if ((r = read(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* Write one frame to blocking "fd".  0, or -1 (memory or I/O). */
int
wire_send(int fd, const ProtobufCMessage *m)
{
	unsigned char	*buf;
	size_t		 len;
	int		 rc;

	if ((buf = wire_pack(m, &len)) == NULL)
		return -1;
	rc = write_all(fd, buf, len);
	free(buf);
	return rc;
}

/*
 * Read one frame of at most "max" bytes from blocking "fd".  Returns
 * the message bytes (without the prefix; *len of them, released with
 * free()), or NULL at end of file, on error or when the frame is too
 * large.
 */
unsigned char *
wire_read(int fd, size_t max, size_t *len)
{
	unsigned char	 hdr[4], *buf;
	size_t		 n;

	if (read_all(fd, hdr, sizeof(hdr)) == -1)
		return NULL;
	n = (size_t)hdr[0] << 24 | (size_t)hdr[1] << 16 |
	    (size_t)hdr[2] << 8 | hdr[3];
	if (n > max || (buf = malloc(n == 0 ? 1 : n)) == NULL)
		return NULL;
	if (read_all(fd, buf, n) == -1) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

/*
 * Is there a complete frame at the start of the "have" bytes of "p"?
 * Returns 1 and sets *body to its length, 0 if more bytes are needed,
 * -1 if it announces more than "max" bytes.
 */
int
wire_frame(const unsigned char *p, size_t have, size_t max, size_t *body)
{
	size_t	 n;

	if (have < 4)
		return 0;
	n = (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
	if (n > max)
		return -1;
	if (have - 4 < n)
		return 0;
	*body = n;
	return 1;
}

/* Send "len" bytes and "nfds" descriptors as one datagram. */
int
fd_send(int sock, const void *buf, size_t len, const int *fds, int nfds)
{
	struct msghdr	 mh;
	struct iovec	 iov;
	union {
		struct cmsghdr	 hdr;
		char		 buf[CMSG_SPACE(sizeof(int) * 4)];
	}		 cm;
	struct cmsghdr	*c;
	ssize_t		 w;

	if (nfds < 0 || nfds > 4)
		return -1;
	memset(&mh, 0, sizeof(mh));
	memset(&cm, 0, sizeof(cm));
	iov.iov_base = (void *)(uintptr_t)buf;
	iov.iov_len = len;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (nfds > 0) {
		mh.msg_control = cm.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
	}
	do
		w = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (w == -1 && errno == EINTR);
	return w == (ssize_t)len ? 0 : -1;
}

/*
 * Receive one datagram of at most "len" bytes and up to "maxfds"
 * descriptors (close-on-exec) into fds[], their number in *nfds.
 * Returns the byte count, 0 at end of file, -1 on error.
 */
ssize_t
fd_recv(int sock, void *buf, size_t len, int *fds, int maxfds, int *nfds)
{
	struct msghdr	 mh;
	struct iovec	 iov;
	union {
		struct cmsghdr	 hdr;
		char		 buf[CMSG_SPACE(sizeof(int) * 4)];
	}		 cm;
	struct cmsghdr	*c;
	ssize_t		 r;
	size_t		 n, i;

	*nfds = 0;
	memset(&mh, 0, sizeof(mh));
	iov.iov_base = buf;
	iov.iov_len = len;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cm.buf;
	mh.msg_controllen = sizeof(cm.buf);
	do
		r = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (r == -1 && errno == EINTR);
	if (r <= 0)
		return r;
	for (c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			int	 fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int),
			    sizeof(int));
			if (*nfds < maxfds)
				fds[(*nfds)++] = fd;
			else
				(void)close(fd);
		}
	}
	return r;
}

/*
 * The length of the valid UTF-8 sequence at "p" (1 to 4), or 0 if it
 * is not one.  "p" is NUL-terminated or has at least 4 bytes left.
 */
static size_t
utf8_seq(const unsigned char *p)
{
	size_t		 n, k;
	uint32_t	 cp;

	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xe0) == 0xc0) {
		n = 1;
		cp = p[0] & 0x1f;
	} else if ((p[0] & 0xf0) == 0xe0) {
		n = 2;
		cp = p[0] & 0x0f;
	} else if ((p[0] & 0xf8) == 0xf0) {
		n = 3;
		cp = p[0] & 0x07;
	} else
		return 0;
	for (k = 1; k <= n; k++) {
		if ((p[k] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[k] & 0x3f);
	}
	if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
	    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n + 1;
}

/* Is the NUL-terminated "s" valid UTF-8 (a proto3 string must be)? */
int
utf8_valid(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n;

	while (*p != '\0') {
		if ((n = utf8_seq(p)) == 0)
			return 0;
		p += n;
	}
	return 1;
}

/*
 * Make text from a worker safe to pass on: cut it to ERR_TEXT_MAX
 * bytes and replace invalid UTF-8 and control characters other than
 * newline and tab with '?'.
 */
void
text_clean(char *s)
{
	unsigned char	*p = (unsigned char *)s;
	size_t		 i = 0, n;

	while (p[i] != '\0') {
		if (i >= ERR_TEXT_MAX) {
			p[i] = '\0';	/* i is on a character boundary */
			break;
		}
		if ((n = utf8_seq(p + i)) == 0) {
			p[i++] = '?';
			continue;
		}
		if (n == 1 && ((p[i] < 0x20 && p[i] != '\n' &&
		    p[i] != '\t') || p[i] == 0x7f))
			p[i] = '?';
		i += n;
	}
}
