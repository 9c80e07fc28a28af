/* sockets: the socket syscalls — an AF_UNIX socketpair (write/read, sendmsg/recvmsg with two
 * iovecs and SCM_RIGHTS descriptor passing, sendmmsg/recvmmsg on a datagram pair), a TCP
 * server on 127.0.0.1 port 0 with a client in a forked child (accept4, send/recv, socket
 * options, getpeername, shutdown), and UDP sendto/recvfrom on loopback. Results only are
 * printed (never addresses, ports or descriptor numbers), so the output is deterministic. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static int fail(const char *what)
{
    printf("FAILED: %s (errno %d)\n", what, errno);
    return 1;
}

static int test_socketpair_stream(void)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        return fail("socketpair");
    ssize_t w = write(sv[0], "ping", 4);
    char buf[16] = { 0 };
    ssize_t r = read(sv[1], buf, sizeof buf);
    printf("stream pair: wrote %zd read %zd '%s'\n", w, r, buf);
    w = write(sv[1], "pong!", 5);
    memset(buf, 0, sizeof buf);
    r = recv(sv[0], buf, sizeof buf, 0);
    printf("stream pair back: wrote %zd recv %zd '%s'\n", w, r, buf);
    int type = -1;
    socklen_t len = sizeof type;
    getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &type, &len);
    struct sockaddr_un name;
    socklen_t name_len = sizeof name;
    int gs = getsockname(sv[0], (struct sockaddr *)&name, &name_len);
    printf("pair SO_TYPE=%d (stream %d) len=%u; getsockname=%d family=%d len=%u\n", type,
           type == SOCK_STREAM, (unsigned)len, gs, name.sun_family, (unsigned)name_len);
    close(sv[0]);
    close(sv[1]);
    return 0;
}

/* sendmsg with two iovecs and an SCM_RIGHTS fd (a pipe's write end); the receiver writes
 * through the descriptor it got and the pipe's read end sees it. */
static int test_scm_rights(void)
{
    int sv[2], pipefd[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0 || pipe(pipefd) != 0)
        return fail("socketpair/pipe");
    char part1[] = "hello, ", part2[] = "world";
    struct iovec out_iov[2] = { { part1, 7 }, { part2, 5 } };
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } out_ctl;
    memset(&out_ctl, 0, sizeof out_ctl);
    struct msghdr out = { 0 };
    out.msg_iov = out_iov;
    out.msg_iovlen = 2;
    out.msg_control = out_ctl.buf;
    out.msg_controllen = sizeof out_ctl.buf;
    struct cmsghdr *c = CMSG_FIRSTHDR(&out);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &pipefd[1], sizeof(int));
    ssize_t sent = sendmsg(sv[0], &out, 0);
    close(pipefd[1]);

    char a[5] = { 0 }, b[32] = { 0 };
    struct iovec in_iov[2] = { { a, 4 }, { b, sizeof b - 1 } };
    union {
        char buf[CMSG_SPACE(sizeof(int)) + 16];
        struct cmsghdr align;
    } in_ctl;
    memset(&in_ctl, 0, sizeof in_ctl);
    struct msghdr in = { 0 };
    in.msg_iov = in_iov;
    in.msg_iovlen = 2;
    in.msg_control = in_ctl.buf;
    in.msg_controllen = sizeof in_ctl.buf;
    in.msg_flags = -1;
    ssize_t got = recvmsg(sv[1], &in, 0);
    printf("sendmsg=%zd recvmsg=%zd iov0='%s' iov1='%s' flags=%d\n", sent, got, a, b, in.msg_flags);
    printf("controllen=%zu (CMSG_SPACE(int)=%zu)\n", (size_t)in.msg_controllen, (size_t)CMSG_SPACE(sizeof(int)));
    c = CMSG_FIRSTHDR(&in);
    if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
        return fail("no SCM_RIGHTS");
    int passed;
    memcpy(&passed, CMSG_DATA(c), sizeof passed);
    printf("cmsg len=%zu (CMSG_LEN(int)=%zu) fd valid: %d\n", (size_t)c->cmsg_len,
           (size_t)CMSG_LEN(sizeof(int)), fcntl(passed, F_GETFD) >= 0);
    if (write(passed, "via passed fd", 13) != 13)
        return fail("write passed fd");
    close(passed);
    char pbuf[32] = { 0 };
    ssize_t pr = read(pipefd[0], pbuf, sizeof pbuf - 1);
    printf("pipe got %zd '%s'\n", pr, pbuf);

    close(pipefd[0]);
    close(sv[0]);
    close(sv[1]);
    return 0;
}

static int test_mmsg(void)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) != 0)
        return fail("socketpair dgram");
    char *words[3] = { "one", "three", "fifteen" };
    struct iovec iov[3];
    struct mmsghdr out[3];
    memset(out, 0, sizeof out);
    for (int i = 0; i < 3; i++) {
        iov[i].iov_base = words[i];
        iov[i].iov_len = strlen(words[i]);
        out[i].msg_hdr.msg_iov = &iov[i];
        out[i].msg_hdr.msg_iovlen = 1;
    }
    int sent = sendmmsg(sv[0], out, 3, 0);
    printf("sendmmsg=%d lens %u %u %u\n", sent, out[0].msg_len, out[1].msg_len, out[2].msg_len);
    char bufs[4][16];
    struct iovec in_iov[4];
    struct mmsghdr in[4];
    memset(in, 0, sizeof in);
    memset(bufs, 0, sizeof bufs);
    for (int i = 0; i < 4; i++) {
        in_iov[i].iov_base = bufs[i];
        in_iov[i].iov_len = 5; /* "fifteen" is truncated */
        in[i].msg_hdr.msg_iov = &in_iov[i];
        in[i].msg_hdr.msg_iovlen = 1;
    }
    int got = recvmmsg(sv[1], in, 4, MSG_DONTWAIT, NULL);
    printf("recvmmsg=%d\n", got);
    for (int i = 0; i < got; i++)
        printf("  msg %d: len %u '%s' trunc=%d\n", i, in[i].msg_len, bufs[i], !!(in[i].msg_hdr.msg_flags & MSG_TRUNC));
    errno = 0;
    got = recvmmsg(sv[1], in, 4, MSG_DONTWAIT, NULL);
    printf("recvmmsg on empty: %d EAGAIN=%d\n", got, errno == EAGAIN);
    close(sv[0]);
    close(sv[1]);
    return 0;
}

/* The forked TCP client: connects, checks the greeting, sends a request, waits for the
 * server's shutdown. Its exit status is its verdict (it prints nothing). */
static int tcp_client(unsigned short port)
{
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = { 0 };
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof sa) != 0)
        return 10;
    char buf[32] = { 0 };
    if (recv(s, buf, 5, MSG_WAITALL) != 5 || memcmp(buf, "hello", 5) != 0)
        return 11;
    if (send(s, "request!", 8, 0) != 8)
        return 12;
    if (shutdown(s, SHUT_WR) != 0)
        return 13;
    /* The server shuts down too: end of file. */
    if (recv(s, buf, sizeof buf, 0) != 0)
        return 14;
    close(s);
    return 0;
}

static int test_tcp(void)
{
    int srv = socket(AF_INET, SOCK_STREAM, 0);
    if (srv < 0)
        return fail("socket");
    int one = 1;
    if (setsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0)
        return fail("setsockopt");
    int v = -1;
    socklen_t len = sizeof v;
    getsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &v, &len);
    printf("SO_REUSEADDR=%d len=%u\n", v, (unsigned)len);
    v = -1;
    len = sizeof v;
    getsockopt(srv, SOL_SOCKET, SO_TYPE, &v, &len);
    printf("SO_TYPE=%d (stream %d)\n", v, v == SOCK_STREAM);
    struct linger lg = { 1, 7 }, lg2 = { 0, 0 };
    setsockopt(srv, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    len = sizeof lg2;
    getsockopt(srv, SOL_SOCKET, SO_LINGER, &lg2, &len);
    printf("SO_LINGER onoff=%d linger=%d len=%u\n", lg2.l_onoff, lg2.l_linger, (unsigned)len);
    struct timeval tv = { 3, 0 }, tv2 = { 0, 0 };
    setsockopt(srv, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    len = sizeof tv2;
    getsockopt(srv, SOL_SOCKET, SO_RCVTIMEO, &tv2, &len);
    printf("SO_RCVTIMEO %ld.%06ld len=%u\n", (long)tv2.tv_sec, (long)tv2.tv_usec, (unsigned)len);
    errno = 0;
    len = sizeof v;
    int r = getsockopt(srv, SOL_SOCKET, 12345, &v, &len);
    printf("unknown option: %d ENOPROTOOPT=%d\n", r, errno == ENOPROTOOPT);

    struct sockaddr_in sa = { 0 };
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(srv, (struct sockaddr *)&sa, sizeof sa) != 0)
        return fail("bind");
    if (listen(srv, 4) != 0)
        return fail("listen");
    struct sockaddr_in bound;
    socklen_t blen = sizeof bound;
    getsockname(srv, (struct sockaddr *)&bound, &blen);
    printf("bound: family=%d addr=%s port nonzero=%d len=%u\n", bound.sin_family, inet_ntoa(bound.sin_addr),
           bound.sin_port != 0, (unsigned)blen);

    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return fail("fork");
    if (pid == 0)
        _exit(tcp_client(ntohs(bound.sin_port)));

    struct sockaddr_in peer;
    socklen_t plen = sizeof peer;
    int c = accept4(srv, (struct sockaddr *)&peer, &plen, SOCK_CLOEXEC);
    if (c < 0)
        return fail("accept4");
    printf("accept4: peer family=%d addr=%s len=%u cloexec=%d\n", peer.sin_family, inet_ntoa(peer.sin_addr),
           (unsigned)plen, (fcntl(c, F_GETFD) & FD_CLOEXEC) != 0);
    struct sockaddr_in gp;
    socklen_t gplen = sizeof gp;
    getpeername(c, (struct sockaddr *)&gp, &gplen);
    printf("getpeername: same as accept4's=%d len=%u\n", gp.sin_port == peer.sin_port && gp.sin_addr.s_addr == peer.sin_addr.s_addr,
           (unsigned)gplen);
    /* A short address buffer: truncated, but the full length is reported. */
    struct sockaddr_in shortname;
    socklen_t slen = 4;
    memset(&shortname, 0xee, sizeof shortname);
    getpeername(c, (struct sockaddr *)&shortname, &slen);
    printf("short getpeername: len=%u family=%d rest untouched=%d\n", (unsigned)slen, shortname.sin_family,
           shortname.sin_addr.s_addr == 0xeeeeeeee);
    int nd = 1;
    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &nd, sizeof nd);
    nd = 0;
    len = sizeof nd;
    getsockopt(c, IPPROTO_TCP, TCP_NODELAY, &nd, &len);
    printf("TCP_NODELAY=%d\n", nd != 0);

    ssize_t s = send(c, "hello", 5, 0);
    char buf[32] = { 0 };
    ssize_t total = 0, n;
    while ((n = recv(c, buf + total, sizeof buf - 1 - total, 0)) > 0)
        total += n;
    printf("server: sent %zd, received %zd '%s' then EOF %zd\n", s, total, buf, n);
    printf("shutdown: %d\n", shutdown(c, SHUT_RDWR));
    int status;
    waitpid(pid, &status, 0);
    printf("client exit status %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    errno = 0;
    r = send(c, "x", 1, MSG_NOSIGNAL);
    printf("send after shutdown: %d EPIPE=%d\n", r, errno == EPIPE);
    close(c);
    close(srv);
    return 0;
}

static int test_udp(void)
{
    int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    if (a < 0 || b < 0)
        return fail("socket udp");
    struct sockaddr_in sa = { 0 };
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(a, (struct sockaddr *)&sa, sizeof sa);
    bind(b, (struct sockaddr *)&sa, sizeof sa);
    struct sockaddr_in aname, bname;
    socklen_t alen = sizeof aname, blen = sizeof bname;
    getsockname(a, (struct sockaddr *)&aname, &alen);
    getsockname(b, (struct sockaddr *)&bname, &blen);
    char buf[64] = { 0 };
    errno = 0;
    ssize_t r = recvfrom(b, buf, sizeof buf, 0, NULL, NULL);
    printf("udp empty nonblocking recvfrom: %zd EAGAIN=%d\n", r, errno == EAGAIN);
    ssize_t s = sendto(a, "datagram", 8, 0, (struct sockaddr *)&bname, sizeof bname);
    struct sockaddr_in from;
    socklen_t flen = sizeof from;
    memset(&from, 0, sizeof from);
    r = recvfrom(b, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen);
    printf("udp sendto=%zd recvfrom=%zd '%s' from sender=%d len=%u\n", s, r, buf,
           from.sin_port == aname.sin_port && from.sin_addr.s_addr == aname.sin_addr.s_addr, (unsigned)flen);
    /* connect, then send/recv without addresses; getpeername on the connected socket. */
    connect(a, (struct sockaddr *)&bname, sizeof bname);
    struct sockaddr_in pn;
    socklen_t pnlen = sizeof pn;
    int gp = getpeername(a, (struct sockaddr *)&pn, &pnlen);
    printf("udp getpeername=%d is b=%d\n", gp, pn.sin_port == bname.sin_port);
    errno = 0;
    pnlen = sizeof pn;
    gp = getpeername(b, (struct sockaddr *)&pn, &pnlen);
    printf("unconnected getpeername=%d ENOTCONN=%d\n", gp, errno == ENOTCONN);
    send(a, "second", 6, 0);
    memset(buf, 0, sizeof buf);
    r = recv(b, buf, 3, 0);
    printf("truncated recv=%zd '%s'\n", r, buf);
    /* recvfrom with a NULL address and MSG_PEEK, then MSG_TRUNC reporting the real size. */
    send(a, "peekaboo", 8, 0);
    memset(buf, 0, sizeof buf);
    r = recvfrom(b, buf, 4, MSG_PEEK, NULL, NULL);
    printf("peek=%zd '%s'\n", r, buf);
    r = recv(b, buf, 2, MSG_TRUNC);
    printf("MSG_TRUNC recv=%zd\n", r);
    close(a);
    close(b);
    return 0;
}

static int test_errors(void)
{
    errno = 0;
    int r = socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP);
    printf("bad protocol: %d EPROTONOSUPPORT=%d\n", r, errno == EPROTONOSUPPORT);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = { 0 };
    sa.sin_family = AF_INET;
    errno = 0;
    r = bind(s, (struct sockaddr *)&sa, 3);
    printf("short bind: %d EINVAL=%d\n", r, errno == EINVAL);
    errno = 0;
    r = accept(s, NULL, NULL);
    printf("accept on unlistening: %d EINVAL=%d\n", r, errno == EINVAL);
    errno = 0;
    r = connect(0x7fff, (struct sockaddr *)&sa, sizeof sa);
    printf("connect bad fd: %d EBADF=%d\n", r, errno == EBADF);
    errno = 0;
    r = shutdown(s, SHUT_RD);
    printf("shutdown unconnected: %d ENOTCONN=%d\n", r, errno == ENOTCONN);
    close(s);
    return 0;
}

int main(void)
{
    setvbuf(stdout, NULL, _IOFBF, 1 << 16);
    int bad = 0;
    bad |= test_socketpair_stream();
    bad |= test_scm_rights();
    bad |= test_mmsg();
    bad |= test_tcp();
    bad |= test_udp();
    bad |= test_errors();
    printf("done\n");
    return bad;
}
