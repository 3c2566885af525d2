package org.jepmd.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.jepmd.protocol.EpmdReplies;
import org.jepmd.registry.NodeRegistry;
import org.jepmd.registry.RegisteredNode;
import org.jepmd.registry.UnusedNode;
import org.jepmd.server.RequestLogic.Reply;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Turns {@link RequestLogic.Reply}s into bytes: one buffer for most, pieces for {@link ReplyStream} where epmd
 * writes several times (NAMES, DUMP, STOP of an unknown name).
 */
final class ReplySources {
    /** Lines are packed into pieces of about this size when no write delay asks for one line per write. */
    private static final int PIECE_BYTES = 16 * 1024;

    private ReplySources() {
    }

    /** The reply as one buffer, or null when it is written in pieces. */
    static ByteBuf whole(Reply reply, ByteBufAllocator alloc, ServerContext server) {
        if (reply instanceof Reply.Port2 port2) {
            return port2.found() == null ? EpmdReplies.port2NotFound(alloc) : EpmdReplies.port2Found(alloc, port2.found());
        } else if (reply instanceof Reply.Alive2 alive2) {
            int version = alive2.node().highestVersion();
            return alive2.registered() == null
                    ? EpmdReplies.alive2Refused(alloc, version)
                    : EpmdReplies.alive2(alloc, version, true, alive2.registered().creationFor(version));
        } else if (reply instanceof Reply.Kill kill) {
            return EpmdReplies.kill(alloc, kill.accepted());
        } else if (reply instanceof Reply.Stop stop && stop.found()) {
            return EpmdReplies.stopped(alloc);
        } else if (reply instanceof Reply.JepmdInfo) {
            return JepmdInfo.reply(alloc, server);
        }
        return null;
    }

    /** The reply as pieces, each written with one write (and after the delay, with {@code -delay_write}). */
    static ReplyStream.Source pieces(Reply reply, ByteBufAllocator alloc, ServerContext server) {
        int port = server.config().port();
        boolean linePerPiece = !server.config().delayWrite().isZero();
        if (reply instanceof Reply.Names) {
            return names(port, server.registry(), linePerPiece);
        } else if (reply instanceof Reply.Dump) {
            return dump(port, server.registry(), linePerPiece);
        } else if (reply instanceof Reply.Stop stop && !stop.found()) {
            // epmd writes NOEXIST and then, falling through, STOPPED as well
            return of(List.of(EpmdReplies.noExist(alloc), EpmdReplies.stopped(alloc)));
        }
        return of(List.of(whole(reply, alloc, server)));
    }

    /** Fixed pieces, written in order. */
    static ReplyStream.Source of(List<ByteBuf> pieces) {
        Deque<ByteBuf> queue = new ArrayDeque<>(pieces);
        return new ReplyStream.Source() {
            @Override
            public ByteBuf next(ByteBufAllocator alloc) {
                return queue.poll();
            }

            @Override
            public void discard() {
                for (ByteBuf piece = queue.poll(); piece != null; piece = queue.poll()) {
                    piece.release();
                }
            }
        };
    }

    /** NAMES_RESP: the configured port, then {@code name N at port P\n} per live node, newest first. */
    static ReplyStream.Source names(int configuredPort, NodeRegistry registry, boolean linePerPiece) {
        return lines(configuredPort, linePerPiece, registry.newestFirst().iterator(),
                (out, node) -> EpmdReplies.writeNamesLine(out, node.name(), node.info().port()));
    }

    /** DUMP_RESP: the configured port, the live nodes newest first, then the unused names oldest first. */
    static ReplyStream.Source dump(int configuredPort, NodeRegistry registry, boolean linePerPiece) {
        Iterator<RegisteredNode> live = registry.newestFirst().iterator();
        Iterator<UnusedNode> unused = registry.unused().iterator();
        Iterator<Object> all = new Iterator<>() {
            @Override
            public boolean hasNext() {
                return live.hasNext() || unused.hasNext();
            }

            @Override
            public Object next() {
                return live.hasNext() ? live.next() : unused.next();
            }
        };
        return lines(configuredPort, linePerPiece, all, (out, item) -> {
            if (item instanceof RegisteredNode node) {
                EpmdReplies.writeDumpActiveLine(out, node.name(), node.info().port(), node.fd());
            } else {
                UnusedNode node = (UnusedNode) item;
                EpmdReplies.writeDumpUnusedLine(out, node.name(), node.port(), node.fd());
            }
        });
    }

    private static <T> ReplyStream.Source lines(int configuredPort, boolean linePerPiece, Iterator<T> items,
                                                BiConsumer<ByteBuf, T> writeLine) {
        return new ReplyStream.Source() {
            private boolean headerSent;

            @Override
            public ByteBuf next(ByteBufAllocator alloc) {
                if (!headerSent) {
                    headerSent = true;
                    return EpmdReplies.portHeader(alloc, configuredPort);
                }
                if (!items.hasNext()) {
                    return null;
                }
                ByteBuf piece = alloc.buffer(linePerPiece ? 64 : PIECE_BYTES);
                do {
                    writeLine.accept(piece, items.next());
                } while (!linePerPiece && piece.readableBytes() < PIECE_BYTES - 1100 && items.hasNext());
                return piece;
            }
        };
    }
}
