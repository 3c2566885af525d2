/*
 * floor: the bare minimum of a lookup server, for scripts/bench's "floor" column (loopback only).
 *
 *   floor PORT NAME NODEPORT
 *
 * One thread, one epoll set: accept4 every pending connection, and on each connection's first
 * readable event one read, one write of a fixed PORT2_RESP (the reply epmd gives for NAME at
 * NODEPORT), close. No parsing, no registry, no timeouts: what a lookup costs the kernel and a
 * loop that does nothing else. Runs until killed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: floor PORT NAME NODEPORT\n");
        return 2;
    }
    unsigned char reply[300];
    size_t nlen = strlen(argv[2]);
    int node_port = atoi(argv[3]);
    if (nlen > 255) {
        return 2;
    }
    unsigned char *p = reply;
    *p++ = 119; *p++ = 0;                      /* PORT2_RESP, result 0 */
    *p++ = node_port >> 8; *p++ = node_port;
    *p++ = 77; *p++ = 0;                       /* normal node, tcp/ipv4 */
    *p++ = 0; *p++ = 6; *p++ = 0; *p++ = 5;    /* highest, lowest version */
    *p++ = nlen >> 8; *p++ = nlen;
    memcpy(p, argv[2], nlen); p += nlen;
    *p++ = 0; *p++ = 0;                        /* no Extra */
    size_t reply_len = p - reply;

    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(atoi(argv[1]));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listener, (struct sockaddr *) &addr, sizeof addr) < 0 || listen(listener, 4096) < 0) {
        perror("floor: bind/listen");
        return 1;
    }
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = listener};
    epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev);
    struct epoll_event events[256];
    char buf[512];
    for (;;) {
        int n = epoll_wait(ep, events, 256, -1);
        for (int i = 0; i < n; i++) {
            int fd = events[i].data.fd;
            if (fd == listener) {
                int c;
                while ((c = accept4(listener, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    struct epoll_event cev = {.events = EPOLLIN, .data.fd = c};
                    epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
                }
                continue;
            }
            if (read(fd, buf, sizeof buf) > 0) {
                (void) !write(fd, reply, reply_len);
            }
            close(fd); /* also leaves the epoll set */
        }
    }
}
