package dev.sealwright.measure.snp;

/** One SEV metadata descriptor: {@code u32 gpa, u32 size, u32 type}. */
public record MetadataSection(long gpa, long size, SectionType type) {
    @Override
    public String toString() {
        return String.format("0x%X/0x%X %s", gpa, size, type);
    }
}
