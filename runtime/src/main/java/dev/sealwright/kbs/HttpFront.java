package dev.sealwright.kbs;

import dev.sealwright.base.DaemonThreads;
import dev.sealwright.base.RecipeException;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The broker's HTTP/1.1 transport (Netty, non-blocking): a few event-loop threads accept and read
 * every connection; only a complete request (headers and the whole body) is handed to the worker
 * pool, so peers that stall mid-request cost a socket and a buffer, never a worker. Each request
 * must finish its headers within {@link Limits#headerTimeout} (from the connection's start or the
 * previous reply; this also bounds TLS handshakes and idle keep-alive connections) and its body
 * within {@link Limits#bodyTimeout} after the headers; one address may hold at most
 * {@link Limits#connectionsPerAddress} connections and all addresses together
 * {@link Limits#connections}. A connection runs one request at a time: a pipelined request is not
 * served, the connection closes after the reply in progress. What the
 * transport refuses (408, 413, 429, 503, malformed or truncated requests) goes through
 * {@link Refusals}, so the owner can audit it and word the reply.
 */
public final class HttpFront implements AutoCloseable {
    /** Transport limits; see the class comment. */
    public record Limits(Duration headerTimeout, Duration bodyTimeout, int connectionsPerAddress, int connections) {
        public static final Limits DEFAULT = new Limits(Duration.ofSeconds(10), Duration.ofSeconds(10), 64, 4096);

        public Limits {
            if (headerTimeout.isNegative() || headerTimeout.isZero() || bodyTimeout.isNegative() || bodyTimeout.isZero()) {
                throw new IllegalArgumentException("timeouts must be positive");
            }
            if (connectionsPerAddress < 1 || connections < 1) {
                throw new IllegalArgumentException("connection limits must be at least 1");
            }
        }
    }

    /** A complete request; {@code remote} is "address:port". */
    public record Request(String method, String path, String remote, byte[] body) {}

    /** A reply: status, content type and body. */
    public record Response(int status, String contentType, byte[] body) {}

    /** Handles one complete request on a worker thread. */
    public interface Handler {
        Response handle(Request request);
    }

    /** Words (and may record) a refusal made by the transport itself, before any handler ran. */
    public interface Refusals {
        Response refuse(String remote, int status, String reason);
    }

    private static final int MAX_LINE = 4096, MAX_HEADERS = 16 * 1024;

    private final Handler handler;
    private final Refusals refusals;
    private final Limits limits;
    private final int maxBody;
    private final SSLContext tls;
    private final EventLoopGroup acceptor, io;
    private final ThreadPoolExecutor workers;
    private final Channel listener;
    private final ConcurrentHashMap<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();

    private HttpFront(String name, InetSocketAddress address, SSLContext tls, Limits limits, int maxBody, int threads,
                      Handler handler, Refusals refusals) {
        this.handler = handler;
        this.refusals = refusals;
        this.limits = limits;
        this.maxBody = maxBody;
        this.tls = tls;
        acceptor = new NioEventLoopGroup(1, new DefaultThreadFactory(name + "-accept", true));
        io = new NioEventLoopGroup(Math.min(2, Runtime.getRuntime().availableProcessors()), new DefaultThreadFactory(name + "-io", true));
        workers = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(4 * limits.connections()),
                DaemonThreads.named(name));
        var b = new ServerBootstrap().group(acceptor, io).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        var conn = new Connection(ch);
                        ch.pipeline().addLast(conn.admission);
                        if (HttpFront.this.tls != null) {
                            SSLEngine engine = HttpFront.this.tls.createSSLEngine();
                            engine.setUseClientMode(false);
                            var ssl = new SslHandler(engine);
                            ssl.setHandshakeTimeoutMillis(limits.headerTimeout().toMillis());
                            ch.pipeline().addLast(ssl);
                        }
                        ch.pipeline().addLast(conn.bytesSeen, new HttpServerCodec(MAX_LINE, MAX_HEADERS, 16 * 1024), conn);
                    }
                });
        ChannelFuture bound = b.bind(address).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            close();
            String where = (address.isUnresolved() ? address.getHostString() : address.getAddress().getHostAddress()) + ":" + address.getPort();
            Throwable c = bound.cause();
            String why = c instanceof java.nio.channels.UnresolvedAddressException ? "cannot resolve " + address.getHostString()
                    : c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
            throw new RecipeException(name + ": cannot listen on " + where + ": " + why);
        }
        listener = bound.channel();
    }

    /**
     * Listens on {@code address} (TLS when {@code tls} is non-null) with {@code threads} workers;
     * bodies longer than {@code maxBody} are refused with 413. A busy or unusable address is a
     * {@link RecipeException} naming it.
     */
    public static HttpFront start(String name, InetSocketAddress address, SSLContext tls, Limits limits, int maxBody, int threads,
                                  Handler handler, Refusals refusals) {
        return new HttpFront(name, address, tls, limits, maxBody, threads, handler, refusals);
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) listener.localAddress();
    }

    /** Connections open right now (idle, being read, or at a worker). */
    public int openConnections() {
        return open.get();
    }

    /** Stops accepting, lets requests in flight finish for up to a second, then closes every connection. */
    @Override
    public void close() {
        if (listener != null) {
            listener.close().awaitUninterruptibly();
        }
        workers.shutdown();
        try {
            workers.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.shutdownNow();
        io.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        acceptor.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    private static String remote(Channel ch) {
        InetSocketAddress a = (InetSocketAddress) ch.remoteAddress();
        return a == null ? "?" : a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    /** One connection: admission, deadlines, the request being read, and at most one request at a worker. */
    private final class Connection extends ChannelInboundHandlerAdapter {
        final Channel ch;
        final String remote;
        InetAddress counted;
        ScheduledFuture<?> deadline;
        boolean bytesSinceReply, busy, inputClosed, pipelined, done;
        HttpRequest head;
        long expected;
        ByteArrayOutputStream body;

        /** Counts the connection per address and in all; over a limit it is refused before any byte is read. */
        final ChannelHandler admission = new ChannelInboundHandlerAdapter() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                InetAddress a = ((InetSocketAddress) ch.remoteAddress()).getAddress();
                int all = open.incrementAndGet();
                int mine = perAddress.computeIfAbsent(a, k -> new AtomicInteger()).incrementAndGet();
                counted = a;
                if (mine > limits.connectionsPerAddress()) {
                    refuseAtAdmission(ctx, 429, "too many connections from " + a.getHostAddress() + " (limit " + limits.connectionsPerAddress() + ")");
                } else if (all > limits.connections()) {
                    refuseAtAdmission(ctx, 503, "too many connections (limit " + limits.connections() + ")");
                } else {
                    ctx.fireChannelActive();
                }
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                if (counted != null) {
                    open.decrementAndGet();
                    perAddress.computeIfPresent(counted, (k, n) -> n.decrementAndGet() == 0 ? null : n);
                    counted = null;
                }
                ctx.fireChannelInactive();
            }
        };

        /** Notes that bytes of a request arrived (so a deadline that fires is a refusal, not an idle close). */
        final ChannelHandler bytesSeen = new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof ByteBuf b && b.isReadable()) {
                    bytesSinceReply = true;
                }
                ctx.fireChannelRead(msg);
            }
        };

        Connection(Channel ch) {
            this.ch = ch;
            this.remote = remote(ch);
        }

        /** Written from the head of the pipeline: neither TLS nor the HTTP codec sees these bytes. */
        private void refuseAtAdmission(ChannelHandlerContext ctx, int status, String reason) {
            done = true;
            ch.config().setAutoRead(false);
            Response r = refusals.refuse(remote, status, reason);
            if (tls == null) {
                ctx.writeAndFlush(Unpooled.wrappedBuffer(rawResponse(r))).addListener(ChannelFutureListener.CLOSE);
            } else {
                ch.close();
            }
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            arm(limits.headerTimeout(), "request headers not complete within " + seconds(limits.headerTimeout()));
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (busy) {
                    pipelined = true;   // not served: the connection closes after the reply in progress
                    return;
                }
                if (done) {
                    return;
                }
                if (msg instanceof HttpRequest r) {
                    if (r.decoderResult().isFailure()) {
                        Throwable c = r.decoderResult().cause();
                        refuse(c instanceof TooLongFrameException ? 431 : 400, "malformed HTTP request: " + c.getMessage());
                        return;
                    }
                    head = r;
                    expected = HttpUtil.getContentLength(r, -1L);
                    if (expected > maxBody) {
                        refuse(413, "request body of " + expected + " bytes exceeds " + maxBody);
                        return;
                    }
                    body = new ByteArrayOutputStream((int) Math.min(Math.max(expected, 256), 8192));
                    arm(limits.bodyTimeout(), "request body not complete within " + seconds(limits.bodyTimeout()));
                    if (HttpUtil.is100ContinueExpected(r)) {
                        ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
                    }
                }
                if (msg instanceof HttpContent c && head != null) {
                    if (c.decoderResult().isFailure()) {
                        refuse(400, "malformed HTTP request body: " + c.decoderResult().cause().getMessage());
                        return;
                    }
                    ByteBuf b = c.content();
                    if (body.size() + b.readableBytes() > maxBody) {
                        refuse(413, "request body exceeds " + maxBody + " bytes");
                        return;
                    }
                    b.readBytes(body, b.readableBytes());
                    if (msg instanceof LastHttpContent) {
                        dispatch();
                    }
                }
            } catch (NumberFormatException e) {
                refuse(400, "bad Content-Length");
            } catch (java.io.IOException e) {
                refuse(400, "unreadable request body");
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void dispatch() {
            disarm();
            busy = true;
            ch.config().setAutoRead(false);
            var request = new Request(head.method().name(), new QueryStringDecoder(head.uri()).path(), remote, body.toByteArray());
            boolean keepAlive = HttpUtil.isKeepAlive(head);
            body = null;
            try {
                workers.execute(() -> {
                    Response r;
                    try {
                        r = handler.handle(request);
                    } catch (RuntimeException e) {
                        r = refusals.refuse(remote, 500, "internal error: " + e.getClass().getSimpleName());
                    }
                    Response reply = r;
                    ch.eventLoop().execute(() -> reply(reply, keepAlive));
                });
            } catch (RejectedExecutionException e) {
                refuse(503, "broker busy (" + workers.getQueue().size() + " requests queued)");
            }
        }

        private void reply(Response r, boolean keepAlive) {
            busy = false;
            head = null;
            boolean again = keepAlive && !inputClosed && !pipelined && !done;
            ChannelFuture f = ch.writeAndFlush(response(r, again));
            if (!again) {
                done = true;
                f.addListener(ChannelFutureListener.CLOSE);
                return;
            }
            bytesSinceReply = false;
            arm(limits.headerTimeout(), "request headers not complete within " + seconds(limits.headerTimeout()));
            ch.config().setAutoRead(true);
        }

        /** Refuses the request being read and closes the connection after the reply. */
        private void refuse(int status, String reason) {
            disarm();
            done = true;
            head = null;
            body = null;
            ch.config().setAutoRead(false);
            ch.writeAndFlush(response(refusals.refuse(remote, status, reason), false)).addListener(ChannelFutureListener.CLOSE);
        }

        private void arm(Duration after, String reason) {
            disarm();
            deadline = ch.eventLoop().schedule(() -> {
                if (busy || done) {
                    return;
                }
                if (head != null || bytesSinceReply) {
                    refuse(408, reason);
                } else {
                    done = true;
                    ch.close();   // idle: no request begun, nothing to refuse
                }
            }, after.toMillis(), TimeUnit.MILLISECONDS);
        }

        private void disarm() {
            if (deadline != null) {
                deadline.cancel(false);
                deadline = null;
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                inputClosed = true;
                if (busy || done) {
                    return;   // the reply in progress closes the connection
                }
                if (head != null) {
                    refuse(400, "truncated request body (" + (body == null ? 0 : body.size()) + " of "
                            + (expected < 0 ? "?" : Long.toString(expected)) + " bytes)");
                } else if (bytesSinceReply) {
                    refuse(400, "truncated request headers");
                } else {
                    done = true;
                    ch.close();
                }
                return;
            }
            ReferenceCountUtil.release(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            disarm();
            done = true;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            done = true;
            ch.close();   // reset by the peer, TLS failure: nothing to tell it
        }
    }

    private static String seconds(Duration d) {
        return java.math.BigDecimal.valueOf(d.toMillis(), 3).stripTrailingZeros().toPlainString() + " s";
    }

    private static FullHttpResponse response(Response r, boolean keepAlive) {
        var resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()), Unpooled.wrappedBuffer(r.body()));
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length)
                .set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
        return resp;
    }

    /** A reply written before the HTTP codec is in the pipeline (admission refusals on plain HTTP). */
    private static byte[] rawResponse(Response r) {
        String head = "HTTP/1.1 " + HttpResponseStatus.valueOf(r.status()) + "\r\nContent-Type: " + r.contentType()
                + "\r\nContent-Length: " + r.body().length + "\r\nConnection: close\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        byte[] all = java.util.Arrays.copyOf(h, h.length + r.body().length);
        System.arraycopy(r.body(), 0, all, h.length, r.body().length);
        return all;
    }
}
