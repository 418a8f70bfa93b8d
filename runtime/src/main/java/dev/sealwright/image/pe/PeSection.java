package dev.sealwright.image.pe;

/** One section: header fields plus its raw bytes (exactly {@code sizeOfRawData} long, padding included). */
public record PeSection(String name, long virtualSize, long virtualAddress, long sizeOfRawData, long pointerToRawData,
                        long characteristics, byte[] raw) {
    public static final long CNT_INITIALIZED_DATA = 0x00000040L;
    public static final long MEM_READ = 0x40000000L;

    /** The section's content as loaded: the first {@code min(virtualSize, sizeOfRawData)} raw bytes. */
    public byte[] content() {
        int n = (int) Math.min(virtualSize, sizeOfRawData);
        return java.util.Arrays.copyOf(raw, n);
    }
}
