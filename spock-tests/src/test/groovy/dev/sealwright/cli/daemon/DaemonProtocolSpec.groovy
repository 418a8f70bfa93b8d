package dev.sealwright.cli.daemon

import spock.lang.Specification

import java.nio.file.Path

/**
 * The daemon's wire format, read and written. The request bytes are the same vector
 * native-helpers/test/cli_client_test.c expects from the C client (written out from the format in
 * client.h, not produced by either codec).
 */
class DaemonProtocolSpec extends Specification {
    static byte[] bytes(List<Integer> v) { v.collect { (byte) it } as byte[] }

    static final byte[] REQUEST = bytes([0x53, 0x57, 0x44, 0x32, 1, 0, 0, 0, 4,
                                         0, 0, 0, 2, 0x2f, 0x77,
                                         0, 0, 0, 7] + 'measure'.bytes.toList().collect { it as int } +
                                        [0, 0, 0, 3] + 'snp'.bytes.toList().collect { it as int } + [0, 0, 0, 0])

    def "a request writes and reads back as the client's bytes"() {
        given:
        def buf = new ByteArrayOutputStream()

        when:
        DaemonProtocol.writeRequest(new DataOutputStream(buf), new DaemonProtocol.Request(Path.of('/w'), ['measure', 'snp', ''], true))
        def back = DaemonProtocol.readRequest(new DataInputStream(new ByteArrayInputStream(REQUEST)))

        then:
        buf.toByteArray() == REQUEST
        back.cwd == Path.of('/w')
        back.args == ['measure', 'snp', '']
        back.colour
    }

    def "UTF-8 arguments survive (whatever the JVM's locale: the arguments are strings, not paths)"() {
        given:
        def buf = new ByteArrayOutputStream()
        DaemonProtocol.writeRequest(new DataOutputStream(buf), new DaemonProtocol.Request(Path.of('/tmp/x'), ['--append', 'console=ttyS0 ü €']))

        expect:
        DaemonProtocol.readRequest(new DataInputStream(new ByteArrayInputStream(buf.toByteArray()))).args == ['--append', 'console=ttyS0 ü €']
    }

    def "malformed requests are refused with the reason"() {
        when:
        DaemonProtocol.readRequest(new DataInputStream(new ByteArrayInputStream(bytes(raw))))

        then:
        def e = thrown(IOException)
        e.message.contains(reason)

        where:
        raw                                                             || reason
        [0x53, 0x57, 0x44, 0x31, 0, 0, 0, 1, 0, 0, 0, 1, 0x2f]          || 'bad magic'      // the protocol before the flags byte
        [0x53, 0x57, 0x44, 0x32, 2, 0, 0, 0, 1, 0, 0, 0, 1, 0x2f]       || 'unknown request flags 0x2'
        [0x53, 0x57, 0x44, 0x32, 0, 0, 0, 0, 0]                         || 'request has 0 items'
        [0x53, 0x57, 0x44, 0x32, 0, 0, 0, 0x10, 1]                      || 'request has 4097 items'
        [0x53, 0x57, 0x44, 0x32, 0, 0, 0, 0, 1, 0, 0x20, 0, 0]          || 'request item of 2097152 bytes'
        [0x53, 0x57, 0x44, 0x32, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0x78]       || 'working directory is not absolute: x'
    }

    def "a truncated request is an end of stream, not a partial command"() {
        when:
        DaemonProtocol.readRequest(new DataInputStream(new ByteArrayInputStream(Arrays.copyOf(REQUEST, REQUEST.length - 5))))

        then:
        thrown(EOFException)
    }

    def "answers: interleaved output frames and the exit status; a not-served answer"() {
        given:
        def buf = new ByteArrayOutputStream()
        def conn = new DataOutputStream(buf)
        new FramedOutput(conn, DaemonProtocol.STDOUT).write('ab\n'.bytes)
        new FramedOutput(conn, DaemonProtocol.STDERR).write('e\n'.bytes)
        new FramedOutput(conn, DaemonProtocol.STDOUT).write('c'.bytes)
        new FramedOutput(conn, DaemonProtocol.STDOUT).write(new byte[0])   // no empty frames
        DaemonProtocol.writeExit(conn, 2)
        def notServed = new ByteArrayOutputStream()
        DaemonProtocol.writeNotServed(new DataOutputStream(notServed))

        when:
        def a = DaemonProtocol.readAnswer(new DataInputStream(new ByteArrayInputStream(buf.toByteArray())))
        def n = DaemonProtocol.readAnswer(new DataInputStream(new ByteArrayInputStream(notServed.toByteArray())))

        then: 'the same bytes cli_client_test.c relays'
        buf.toByteArray() == bytes([0x4f, 0, 0, 0, 3, 0x61, 0x62, 0x0a, 0x45, 0, 0, 0, 2, 0x65, 0x0a,
                                    0x4f, 0, 0, 0, 1, 0x63, 0x58, 0, 0, 0, 4, 0, 0, 0, 2])
        new String(a.out) == 'ab\nc' && new String(a.err) == 'e\n' && a.status == 2 && a.served
        !n.served
        notServed.toByteArray() == bytes([0x4e, 0, 0, 0, 0])
    }

    def "routed output goes to the thread's client and its children, everything else to the fallback"() {
        given:
        def fallback = new ByteArrayOutputStream()
        def mine = new ByteArrayOutputStream()
        def routed = new RoutedOutput(fallback)

        when:
        routed.route(mine)
        routed.write('a'.bytes)
        def child = Thread.start { routed.write('b'.bytes) }
        child.join()
        Thread.start { routed.route(null); routed.write('x'.bytes) }.join()   // another thread's routing is its own
        routed.route(null)
        routed.write('c'.bytes)

        then:
        mine.toString() == 'ab'
        fallback.toString() == 'xc'
    }
}
