package org.jepmd.restart;

/**
 * The hand-over conversation on the old daemon's Unix socket, one step at a time so that bytes and
 * descriptors never share a read. Every message from the new daemon is one byte:
 * <pre>
 *   new → old  'A'                     (the restart command) the old daemon's arguments:
 *   old → new  int count, count × (int length, UTF-8 bytes)
 *   new → old  'T'                     take over: the old daemon pauses and answers
 *   old → new  'S' int length, state (StateCodec), int listeners, int registrations, int handover (0 or 1)
 *          or  'B' / 'E' and a UTF-8 reason to the close (busy with another restart, cannot)
 *   new → old  'F'                     send the next FD_BATCH descriptors, repeated until all have come
 *   old → new  listeners, the hand-over socket, registrations, then the connections kept after a refused
 *              ALIVE2 (their count is in the state), one SCM_RIGHTS message each
 *   new → old  'R'                     ready: everything adopted, nothing read yet
 *   old → new  'C'                     commit: the old daemon stops; the new one serves
 *   new → old  'X'                     give up (or a close): the old daemon serves again, unchanged
 * </pre>
 */
final class HandoverProtocol {
    static final byte ARGUMENTS = 'A';
    static final byte TAKE_OVER = 'T';
    static final byte STATE = 'S';
    static final byte BUSY = 'B';
    static final byte CANNOT = 'E';
    static final byte SEND_FDS = 'F';
    static final byte READY = 'R';
    static final byte COMMIT = 'C';
    static final byte GIVE_UP = 'X';
    /**
     * Descriptors sent per {@link #SEND_FDS}: few enough to fit the socket's send buffer, since
     * Netty's epoll domain channel cannot wait for room to send a descriptor.
     */
    static final int FD_BATCH = 128;
    /** How long each side waits for the other's next step before giving up. */
    static final long STEP_TIMEOUT_MILLIS = 10_000;

    private HandoverProtocol() {
    }
}
