/*
 * loadgen: a small EPMD load generator for scripts/bench (loopback only).
 *
 *   loadgen port2 PORT NAME THREADS SECONDS   PORT_PLEASE2, one connection per request
 *   loadgen names PORT THREADS SECONDS        NAMES, one connection per request
 *   loadgen churn PORT THREADS SECONDS PREFIX ALIVE2 (unique name) + reply, then close
 *   loadgen hold  PORT COUNT PREFIX SRC       ALIVE2 COUNT names and keep the connections open
 *                                             until stdin closes; SRC (1..250) picks the source
 *                                             network 127.SRC.x.y so two holders never share one
 *
 * The request modes print one line of key=value figures: ok, fail, rps, p50_us, p99_us, bytes.
 * Every request is bounded by 2 s socket timeouts; every run by its SECONDS.
 * Source addresses rotate over 127.T.x.y (T = thread) with IP_BIND_ADDRESS_NO_PORT, so a run is
 * not limited by one source address's ephemeral ports or by TIME_WAIT.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

#define MAX_THREADS 64
#define MAX_SAMPLES (4 * 1024 * 1024)

static int g_port;
static const char *g_name;
static const char *g_prefix;
static double g_seconds;
static int g_mode; /* 0 port2, 1 names, 2 churn */

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A socket bound to 127.a.b.c (any port chosen at connect time), connected to the daemon. */
static int dial(int a, unsigned counter) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        return -1;
    }
    struct timeval tv = {2, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int one = 1;
    setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in src = {0};
    src.sin_family = AF_INET;
    src.sin_addr.s_addr = htonl((127u << 24) | ((unsigned) a << 16) | (((counter / 250) % 250) << 8) | (counter % 250 + 1));
    if (bind(fd, (struct sockaddr *) &src, sizeof src) < 0) {
        close(fd);
        return -1;
    }
    struct sockaddr_in dst = {0};
    dst.sin_family = AF_INET;
    dst.sin_port = htons(g_port);
    dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *) &dst, sizeof dst) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int send_all(int fd, const unsigned char *buf, size_t len) {
    while (len > 0) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n <= 0) {
            return -1;
        }
        buf += n;
        len -= n;
    }
    return 0;
}

/* Reads until the daemon closes; returns the byte count or -1 on error/timeout. */
static long read_to_eof(int fd) {
    static __thread char sink[65536];
    long total = 0;
    for (;;) {
        ssize_t n = recv(fd, sink, sizeof sink, 0);
        if (n == 0) {
            return total;
        }
        if (n < 0) {
            return -1;
        }
        total += n;
    }
}

static size_t alive2(unsigned char *out, const char *name, int port) {
    size_t nlen = strlen(name);
    size_t len = 13 + nlen;
    unsigned char *p = out;
    *p++ = len >> 8; *p++ = len;
    *p++ = 120;                       /* ALIVE2_REQ */
    *p++ = port >> 8; *p++ = port;
    *p++ = 77;                        /* normal node */
    *p++ = 0;                         /* tcp/ipv4 */
    *p++ = 0; *p++ = 6;               /* highest version: ALIVE2_X_RESP */
    *p++ = 0; *p++ = 5;
    *p++ = nlen >> 8; *p++ = nlen;
    memcpy(p, name, nlen); p += nlen;
    *p++ = 0; *p++ = 0;               /* no Extra */
    return p - out;
}

typedef struct {
    int id;
    long ok, fail, bytes;
    uint32_t *lat;   /* microseconds */
    long nlat;
} worker_t;

static void *run(void *arg) {
    worker_t *w = arg;
    unsigned char req[600];
    size_t reqlen = 0;
    if (g_mode == 0) {
        size_t nlen = strlen(g_name);
        req[0] = (nlen + 1) >> 8; req[1] = nlen + 1; req[2] = 122;
        memcpy(req + 3, g_name, nlen);
        reqlen = 3 + nlen;
    } else if (g_mode == 1) {
        req[0] = 0; req[1] = 1; req[2] = 110;
        reqlen = 3;
    }
    double end = now() + g_seconds;
    unsigned counter = 0;
    long seq = 0;
    int failures = 0;
    while (now() < end) {
        char name[128];
        if (g_mode == 2) {
            snprintf(name, sizeof name, "%s%d_%ld", g_prefix, w->id, seq++);
            reqlen = alive2(req, name, 30000 + w->id);
        }
        double t0 = now();
        int fd = dial(w->id + 1, counter++);
        long got = -1;
        if (fd >= 0) {
            if (send_all(fd, req, reqlen) == 0) {
                if (g_mode == 2) {
                    unsigned char resp[6];
                    ssize_t n = recv(fd, resp, sizeof resp, MSG_WAITALL);
                    got = (n == 6 && resp[0] == 118 && resp[1] == 0) ? n : -1;
                } else {
                    got = read_to_eof(fd);
                }
            }
            close(fd);
        }
        double t1 = now();
        if (got > 0) {
            w->ok++;
            w->bytes += got;
            failures = 0;
            if (w->nlat < MAX_SAMPLES / MAX_THREADS) {
                w->lat[w->nlat++] = (uint32_t) ((t1 - t0) * 1e6);
            }
        } else {
            w->fail++;
            if (++failures > 10) {
                usleep(1000);
            }
        }
    }
    return NULL;
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;
    return x < y ? -1 : x > y;
}

static int load(int threads) {
    if (threads < 1 || threads > MAX_THREADS) {
        fprintf(stderr, "threads must be 1..%d\n", MAX_THREADS);
        return 2;
    }
    worker_t w[MAX_THREADS];
    pthread_t tid[MAX_THREADS];
    double t0 = now();
    for (int i = 0; i < threads; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].id = i;
        w[i].lat = malloc(sizeof(uint32_t) * (MAX_SAMPLES / MAX_THREADS));
        pthread_create(&tid[i], NULL, run, &w[i]);
    }
    long ok = 0, fail = 0, bytes = 0, n = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(tid[i], NULL);
        ok += w[i].ok; fail += w[i].fail; bytes += w[i].bytes; n += w[i].nlat;
    }
    double elapsed = now() - t0;
    uint32_t *all = malloc(sizeof(uint32_t) * (n + 1));
    long k = 0;
    for (int i = 0; i < threads; i++) {
        memcpy(all + k, w[i].lat, sizeof(uint32_t) * w[i].nlat);
        k += w[i].nlat;
        free(w[i].lat);
    }
    qsort(all, n, sizeof(uint32_t), cmp_u32);
    printf("ok=%ld fail=%ld rps=%.0f p50_us=%u p99_us=%u bytes=%ld\n", ok, fail, ok / elapsed,
           n ? all[n / 2] : 0, n ? all[(long) (n * 0.99)] : 0, ok ? bytes / ok : 0);
    free(all);
    return 0;
}

static int hold(int count, const char *prefix, int src) {
    int *fds = calloc(count, sizeof(int));
    int held = 0, streak = 0;
    for (int i = 0; i < count && streak < 20; i++) {
        char name[128];
        unsigned char req[300], resp[6];
        snprintf(name, sizeof name, "%s%d", prefix, i);
        size_t len = alive2(req, name, 40000 + i % 20000);
        int fd = dial(src, i);
        if (fd < 0) {
            streak++;
            continue;
        }
        if (send_all(fd, req, len) < 0 || recv(fd, resp, 6, MSG_WAITALL) != 6 || resp[0] != 118 || resp[1] != 0) {
            close(fd);
            streak++;
            continue;
        }
        streak = 0;
        fds[held++] = fd;
    }
    printf("held=%d\n", held);
    fflush(stdout);
    char line[64];
    while (fgets(line, sizeof line, stdin) != NULL) {
        /* wait for stdin to close */
    }
    for (int i = 0; i < held; i++) {
        close(fds[i]);
    }
    free(fds);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 6 && strcmp(argv[1], "port2") == 0) {
        g_mode = 0; g_port = atoi(argv[2]); g_name = argv[3]; g_seconds = atof(argv[5]);
        return load(atoi(argv[4]));
    }
    if (argc >= 5 && strcmp(argv[1], "names") == 0) {
        g_mode = 1; g_port = atoi(argv[2]); g_seconds = atof(argv[4]);
        return load(atoi(argv[3]));
    }
    if (argc >= 6 && strcmp(argv[1], "churn") == 0) {
        g_mode = 2; g_port = atoi(argv[2]); g_seconds = atof(argv[4]); g_prefix = argv[5];
        return load(atoi(argv[3]));
    }
    if (argc >= 6 && strcmp(argv[1], "hold") == 0) {
        g_port = atoi(argv[2]);
        return hold(atoi(argv[3]), argv[4], atoi(argv[5]));
    }
    fprintf(stderr, "usage: loadgen port2 PORT NAME THREADS SECONDS | names PORT THREADS SECONDS |"
                    " churn PORT THREADS SECONDS PREFIX | hold PORT COUNT PREFIX SRC\n");
    return 2;
}
