package dev.sealwright.kbs

import java.nio.charset.StandardCharsets

/** Hand-written HTTP/1.1 requests, for what a well-behaved client library would never send. */
class RawHttp {
    static String post(String path, String body) {
        "POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.getBytes(StandardCharsets.UTF_8).length}\r\nConnection: close\r\n\r\n${body}"
    }

    /** The "error" of the JSON body of a raw reply. */
    static String error(String reply) {
        (new groovy.json.JsonSlurper().parseText(reply.substring(reply.indexOf('\r\n\r\n') + 4)) as Map).error
    }

    static String send(int port, String request) {
        new Socket('127.0.0.1', port).withCloseable { s ->
            s.soTimeout = 60000
            s.outputStream.write(request.getBytes(StandardCharsets.UTF_8))
            s.outputStream.flush()
            new String(s.inputStream.readAllBytes(), StandardCharsets.UTF_8)
        }
    }

    /** Sends headers promising {@code length} bytes, then only {@code partial}, then half-closes. */
    static String sendTruncated(int port, String path, int length, String partial) {
        new Socket('127.0.0.1', port).withCloseable { s ->
            s.soTimeout = 60000
            s.outputStream.write(("POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: ${length}\r\nConnection: close\r\n\r\n${partial}").getBytes(StandardCharsets.UTF_8))
            s.outputStream.flush()
            s.shutdownOutput()
            try {
                new String(s.inputStream.readAllBytes(), StandardCharsets.UTF_8)
            } catch (IOException ignored) {
                ''
            }
        }
    }
}
