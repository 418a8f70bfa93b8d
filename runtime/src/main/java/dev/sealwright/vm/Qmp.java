package dev.sealwright.vm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sealwright.base.Json;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** A minimal QEMU Machine Protocol client over the VM's unix socket: handshake, then commands. */
final class Qmp implements AutoCloseable {
    private final SocketChannel channel;
    private final BufferedReader in;
    private final OutputStream out;

    private Qmp(SocketChannel channel) {
        this.channel = channel;
        this.in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
        this.out = Channels.newOutputStream(channel);
    }

    /** Connects and negotiates capabilities (reads the greeting, sends qmp_capabilities). */
    static Qmp connect(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
        Qmp q = new Qmp(ch);
        JsonNode greeting = q.read();
        if (greeting == null || !greeting.has("QMP")) {
            q.close();
            throw new IOException("no QMP greeting on " + socket);
        }
        q.execute("qmp_capabilities");
        return q;
    }

    /** Sends a command and returns its "return" member; events that arrive first are skipped. */
    JsonNode execute(String command) throws IOException {
        out.write(("{\"execute\":\"" + command + "\"}\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        while (true) {
            JsonNode r = read();
            if (r == null) throw new IOException("QMP connection closed during " + command);
            if (r.has("return")) return r.get("return");
            if (r.has("error")) throw new IOException("QMP " + command + ": " + r.get("error").path("desc").asText());
        }
    }

    private JsonNode read() throws IOException {
        String line = in.readLine();
        return line == null ? null : Json.MAPPER.readTree(line);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
