package org.jepmd.server;

import io.netty.channel.unix.Errors;

/**
 * Why a bind failed, as far as epmd's start-up cares: the port is taken (another daemon runs:
 * exit 0), the address family or protocol is missing (a kernel without IPv6: skip the address
 * silently), or anything else (a real failure). Decided by errno where the transport reports it
 * (epoll, io_uring); the JDK's NIO exposes no errno, only its strerror text.
 */
enum BindError {
    ADDRESS_IN_USE, FAMILY_UNSUPPORTED, OTHER;

    private static final int EPROTONOSUPPORT = 93;
    private static final int EAFNOSUPPORT = 97;
    private static final int EADDRINUSE = 98;

    static BindError of(Throwable cause) {
        if (cause instanceof Errors.NativeIoException nativeError) {
            return ofErrno(Math.abs(nativeError.expectedErr())); // Netty keeps errno negated
        }
        String message = String.valueOf(cause.getMessage());
        if (message.contains("Address already in use")) {
            return ADDRESS_IN_USE;
        }
        if (message.contains("Address family not supported") || message.contains("Protocol not supported")) {
            return FAMILY_UNSUPPORTED;
        }
        return OTHER;
    }

    static BindError ofErrno(int errno) {
        return switch (errno) {
            case EADDRINUSE -> ADDRESS_IN_USE;
            case EAFNOSUPPORT, EPROTONOSUPPORT -> FAMILY_UNSUPPORTED;
            default -> OTHER;
        };
    }
}
