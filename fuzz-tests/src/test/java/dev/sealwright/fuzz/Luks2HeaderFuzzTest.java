package dev.sealwright.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sealwright.disk.luks2.ByteRegion;
import dev.sealwright.disk.luks2.Entropy;
import dev.sealwright.disk.luks2.Luks2FormatOptions;
import dev.sealwright.disk.luks2.Luks2Header;
import dev.sealwright.disk.luks2.Luks2Kdf;
import dev.sealwright.disk.luks2.Luks2Volume;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * LUKS2 headers (both binary copies and their JSON areas) as {@code luks dump} and every LUKS verb
 * open them. The input is the start of a device, placed in a 17 MiB sparse file so that the data
 * segment our writer puts at 16 MiB lies inside it.
 */
class Luks2HeaderFuzzTest {
    private static final Fuzz.Counter COUNTER = new Fuzz.Counter("luks2-header");
    private static final long DEVICE = 17L << 20;

    static Stream<Arguments> seeds() throws IOException {
        List<byte[]> s = new ArrayList<>();
        // our writer: luks format with the default and with encrypt-cloud-image's layout, a label and a token
        Luks2Kdf kdf = Luks2Kdf.pbkdf2("sha256", 1000, new byte[0]);
        for (Luks2FormatOptions o : List.of(new Luks2FormatOptions().kdf(kdf).digestIterations(1000),
                new Luks2FormatOptions().kdf(kdf).digestIterations(1000).label("fuzz").subsystem("seed").sectorSize(4096))) {
            Path image = Fuzz.scratchDir().resolve("seed.img");
            Files.deleteIfExists(image);
            try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
                f.setLength(DEVICE);
            }
            try (Luks2Volume v = Luks2Volume.format(image, o, "pw".getBytes(StandardCharsets.UTF_8), Entropy.secure())) {
                v.addToken(new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("type", "fuzz-token")
                        .set("keyslots", new com.fasterxml.jackson.databind.ObjectMapper().createArrayNode().add("0")), 0);
                s.add(Arrays.copyOf(Files.readAllBytes(image), (int) (2 * v.header().metadataSize())));
            }
            Files.delete(image);
        }
        return Fuzz.seeds(s);
    }

    @MethodSource("seeds")
    @FuzzTest
    void fuzz(byte[] data) throws Exception {
        COUNTER.tick();
        Path image = Fuzz.scratchDir().resolve("luks.img");
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.wrap(data), 0);
            ch.write(ByteBuffer.wrap(new byte[1]), Math.max(DEVICE, data.length) - 1);
            ByteRegion region = ByteRegion.whole(ch);
            Fuzz.expectOneLine(() -> {
                Luks2Volume v = Luks2Volume.open(region, "luks.img", Entropy.secure());
                dump(v.header());
                v.dataOffset();
                v.sectorSize();
                v.dataSize();
                for (Iterator<Map.Entry<String, JsonNode>> it = v.keyslots().fields(); it.hasNext(); ) {
                    JsonNode kdf = it.next().getValue().path("kdf");
                    if (kdf.isObject()) Luks2Kdf.fromJson((com.fasterxml.jackson.databind.node.ObjectNode) kdf);
                }
            });
        }
    }

    /** The fields {@code luks dump} prints. */
    private static void dump(Luks2Header h) {
        String.valueOf(h.uuid() + h.label() + h.subsystem() + h.seqid() + h.metadataSize() + h.checksumAlgorithm());
        h.json().get("config").get("keyslots_size").asText();
        for (String area : List.of("segments", "keyslots", "tokens", "digests")) {
            for (Iterator<Map.Entry<String, JsonNode>> it = h.json().get(area).fields(); it.hasNext(); ) {
                JsonNode n = it.next().getValue();
                if (!area.equals("tokens") && !area.equals("digests")) n.get("type").asText();
                if (area.equals("keyslots")) n.get("key_size").asInt();
                if (area.equals("segments")) n.get("offset").asText();
            }
        }
    }

    @AfterAll
    static void report() {
        COUNTER.report();
    }
}
