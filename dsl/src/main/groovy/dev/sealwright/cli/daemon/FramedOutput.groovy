package dev.sealwright.cli.daemon

import groovy.transform.CompileStatic

/** One client stream (stdout or stderr) as frames on the request's connection; both streams share the connection's lock. */
@CompileStatic
final class FramedOutput extends OutputStream {
    private final DataOutputStream connection
    private final byte type

    FramedOutput(DataOutputStream connection, byte type) {
        this.connection = connection
        this.type = type
    }

    @Override
    void write(int b) {
        write([(byte) b] as byte[], 0, 1)
    }

    @Override
    void write(byte[] b, int off, int len) {
        if (len == 0) return
        synchronized (connection) {
            DaemonProtocol.writeFrame(connection, type, b, off, len)
        }
    }

    @Override
    void flush() {
        synchronized (connection) {
            connection.flush()
        }
    }
}
