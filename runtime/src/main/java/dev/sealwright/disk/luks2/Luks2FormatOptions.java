package dev.sealwright.disk.luks2;

/**
 * Parameters of a new LUKS2 volume. Defaults follow cryptsetup 2.6 luksFormat on a file (16 KiB
 * metadata, data at 16 MiB, aes-xts-plain64 with a 512-bit key) except the KDF, which is fixed
 * rather than benchmarked so that the same inputs give the same header.
 */
public final class Luks2FormatOptions {
    public static final String CIPHER = "aes-xts-plain64";
    private int keyBits = 512;
    private int sectorSize = 512;
    private long metadataSize = 0x4000;
    private long dataOffset = 16L << 20;
    private long keyslotsSize = -1;
    private String label = "";
    private String subsystem = "";
    private String uuid;
    private Luks2Kdf kdf = Luks2Kdf.argon2("argon2id", 4, 65536, 1, new byte[0]);
    private int digestIterations = 100_000;
    private byte[] volumeKey;

    /** encrypt-cloud-image's `reencrypt --encrypt` parameters: PBKDF2-SHA256 ×1000 (keyslot and digest, as cryptsetup records them), 512 KiB metadata, 15 MiB keyslots, data at 16 MiB. */
    public static Luks2FormatOptions encryptCloudImage() {
        return new Luks2FormatOptions().metadataSize(0x80000).keyslotsSize(15L << 20).dataOffset(16L << 20)
                .kdf(Luks2Kdf.pbkdf2("sha256", 1000, new byte[0])).digestIterations(1000).label("cloudimg-rootfs-enc");
    }

    public Luks2FormatOptions keyBits(int v) {
        if (v != 256 && v != 512) throw new IllegalArgumentException("aes-xts-plain64 key size must be 256 or 512 bits, not " + v);
        keyBits = v;
        return this;
    }

    public Luks2FormatOptions sectorSize(int v) {
        if (v < 512 || v > 4096 || Integer.bitCount(v) != 1) throw new IllegalArgumentException("sector size must be 512, 1024, 2048 or 4096, not " + v);
        sectorSize = v;
        return this;
    }

    public Luks2FormatOptions metadataSize(long v) {
        if (!Luks2Header.METADATA_SIZES.contains(v)) throw new IllegalArgumentException("metadata size must be one of 16k..4m (powers of two), not " + v);
        metadataSize = v;
        return this;
    }

    public Luks2FormatOptions dataOffset(long v) {
        if (v % 4096 != 0) throw new IllegalArgumentException("data offset must be a multiple of 4096, not " + v);
        dataOffset = v;
        return this;
    }

    public Luks2FormatOptions keyslotsSize(long v) {
        if (v % 4096 != 0 || v <= 0 || v > Luks2Validator.MAX_KEYSLOTS_SIZE) throw new IllegalArgumentException("keyslots size must be 4096-aligned and at most 128 MiB, not " + v);
        keyslotsSize = v;
        return this;
    }

    public Luks2FormatOptions label(String v) { label = v; return this; }
    public Luks2FormatOptions subsystem(String v) { subsystem = v; return this; }
    public Luks2FormatOptions uuid(String v) { uuid = v; return this; }
    public Luks2FormatOptions kdf(Luks2Kdf v) { kdf = v; return this; }
    public Luks2FormatOptions digestIterations(int v) {
        if (v < 1000) throw new IllegalArgumentException("digest iterations must be at least 1000 (cryptsetup's minimum)");
        digestIterations = v;
        return this;
    }
    /** A caller-chosen volume key (for tests and re-keying); normally random. */
    public Luks2FormatOptions volumeKey(byte[] v) { volumeKey = v.clone(); keyBits = v.length * 8; return this; }

    public int keyBits() { return keyBits; }
    public int sectorSize() { return sectorSize; }
    public long metadataSize() { return metadataSize; }
    public long dataOffset() { return dataOffset; }
    public long keyslotsSize() { return keyslotsSize > 0 ? keyslotsSize : dataOffset - 2 * metadataSize; }
    public String label() { return label; }
    public String subsystem() { return subsystem; }
    public String uuid() { return uuid; }
    public Luks2Kdf kdf() { return kdf; }
    public int digestIterations() { return digestIterations; }
    public byte[] volumeKey() { return volumeKey == null ? null : volumeKey.clone(); }
}
