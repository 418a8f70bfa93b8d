package dev.sealwright.disk

import dev.sealwright.testkit.Repo

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/** Runs a real tool (cryptsetup, veritysetup, sgdisk, python3) for the disk specs. */
class Sh {
    static class Result {
        int exit
        String out
        String toString() { "exit ${exit}\n${out}" }
    }

    static Result run(List<String> cmd, byte[] stdin = null) {
        Repo.requireTool(cmd[0])
        def pb = new ProcessBuilder(cmd.collect { it.toString() }).redirectErrorStream(true)
        pb.environment().put('LC_ALL', 'C')
        def p = pb.start()
        if (stdin != null) p.outputStream.withStream { it.write(stdin) }
        else p.outputStream.close()
        def out = new ByteArrayOutputStream()
        def reader = Thread.start { out << p.inputStream }
        assert p.waitFor(300, TimeUnit.SECONDS): "${cmd} timed out"
        reader.join()
        new Result(exit: p.exitValue(), out: out.toString('UTF-8'))
    }

    static Result ok(List<String> cmd, byte[] stdin = null) {
        def r = run(cmd, stdin)
        assert r.exit == 0: "${cmd.join(' ')} failed: ${r}"
        r
    }

    /**
     * A read-only copy for cryptsetup, which silently repairs a header it can write. Root ignores
     * the mode bits, so specs also compare {@link #sha256} before and after, and never run our
     * reader on a copy cryptsetup has seen.
     */
    static Path readOnlyCopy(Path image) {
        def copy = image.resolveSibling(image.fileName.toString() + '.ro')
        Files.deleteIfExists(copy)
        Files.copy(image, copy)
        copy.toFile().setWritable(false, false)
        copy
    }

    static String sha256(Path p) {
        Files.readAllBytes(p).sha256()
    }

    /** Partition {@code number} of the GPT disk {@code image} (its extent as sgdisk reads it) copied to {@code out}, for cryptsetup. */
    static Path cutPartition(Path image, int number, Path out) {
        def info = ok(['sgdisk', '-i', "${number}".toString(), image.toString()]).out
        long first = (info =~ /First sector: (\d+)/)[0][1] as long
        long last = (info =~ /Last sector: (\d+)/)[0][1] as long
        new RandomAccessFile(image.toFile(), 'r').withCloseable { raf ->
            byte[] b = new byte[(int) ((last - first + 1) * 512)]; raf.seek(first * 512); raf.readFully(b); Files.write(out, b)
        }
        out
    }

    static Path sparseFile(Path p, long size) {
        new RandomAccessFile(p.toFile(), 'rw').withCloseable { it.setLength(size) }
        p
    }

    /** AES-XTS decryption by python3-cryptography (OpenSSL), independent of our AesXts. */
    static byte[] pythonXtsDecrypt(byte[] key, byte[] ciphertext, int sectorSize, long firstTweak, long tweakStep) {
        def script = '''
import sys
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
key = bytes.fromhex(sys.argv[1]); ss = int(sys.argv[2]); t0 = int(sys.argv[3]); step = int(sys.argv[4])
data = sys.stdin.buffer.read()
out = bytearray()
for i in range(0, len(data), ss):
    d = Cipher(algorithms.AES(key), modes.XTS((t0 + (i // ss) * step).to_bytes(16, 'little'))).decryptor()
    out += d.update(data[i:i + ss]) + d.finalize()
sys.stdout.buffer.write(out)
'''
        Repo.requireTool('python3')
        def p = new ProcessBuilder('python3', '-c', script, key.encodeHex().toString(), "$sectorSize", "$firstTweak", "$tweakStep").start()
        def out = new ByteArrayOutputStream()
        def reader = Thread.start { out << p.inputStream }
        def err = new ByteArrayOutputStream()
        def errReader = Thread.start { err << p.errorStream }
        p.outputStream.withStream { it.write(ciphertext) }
        assert p.waitFor(120, TimeUnit.SECONDS)
        reader.join(); errReader.join()
        assert p.exitValue() == 0: "python3-cryptography XTS failed: ${err}"
        out.toByteArray()
    }

    /** The volume key cryptsetup itself recovers from the header (luksDump --dump-volume-key). */
    static byte[] cryptsetupVolumeKey(Path image, byte[] passphrase) {
        def r = ok(['cryptsetup', 'luksDump', '--dump-volume-key', '-q', '--key-file', '-', image.toString()], passphrase)
        def hex = new StringBuilder()
        boolean inDump = false
        r.out.eachLine { line ->
            if (line.startsWith('MK dump:')) { inDump = true; hex << line.substring('MK dump:'.length()) }
            else if (inDump && line.startsWith('\t')) hex << line
            else inDump = false
        }
        hex.toString().replaceAll(/\s/, '').decodeHex()
    }
}
