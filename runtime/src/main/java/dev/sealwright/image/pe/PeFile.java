package dev.sealwright.image.pe;

import dev.sealwright.base.BulkDigest;
import dev.sealwright.base.InputFiles;
import dev.sealwright.base.RecipeException;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * A PE/COFF image (PE32 or PE32+) held as header bytes, a section list and trailing data (COFF
 * symbol table, overlay, certificate table). {@link #read} and {@link #toBytes} are symmetric;
 * {@link #addSection} appends a section after the last one (VA page-aligned, raw data
 * FileAlignment-aligned) and {@link #toBytes} refreshes NumberOfSections, SizeOfImage,
 * SizeOfInitializedData, PointerToSymbolTable and the checksum. Adding sections drops an existing
 * certificate table (the signature would no longer match).
 */
public final class PeFile {
    /** A PE image read whole (a UKI with its kernel and initrd is tens of MiB). */
    public static final InputFiles.Bound FILE_BOUND = new InputFiles.Bound("a PE image (UKI)", 512 << 20);

    private static final int SECTION_HEADER = 40;
    private static final int CERT_TABLE_INDEX = 4;

    private final String what;
    private byte[] headers;
    private final int peOffset, optOffset, optSize, dataDirOffset, numberOfRvaAndSizes;
    private final boolean pe32Plus;
    private final List<PeSection> sections;
    private byte[] trailing;
    private long trailingOffset;
    private boolean modified;
    private final ByteBuffer source;   // layout mode only: the parsed file (an array or a file mapping), not copied

    /** {@code header}: the bytes the headers are read from, {@code file} itself or the patched head of an overlay image. */
    private PeFile(String what, ByteBuffer file, byte[] header, boolean content) {
        this.what = what;
        this.source = content ? null : file;
        int length = file.capacity();
        ByteBuffer b = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        if (length < 0x40 || b.getShort(0) != 0x5a4d) throw bad("no MZ header");
        peOffset = b.getInt(0x3c);
        if (peOffset < 0x40 || peOffset + 24 > length || b.getInt(peOffset) != 0x00004550) throw bad("no PE signature");
        int nsec = b.getShort(peOffset + 6) & 0xffff;
        optSize = b.getShort(peOffset + 20) & 0xffff;
        optOffset = peOffset + 24;
        int magic = b.getShort(optOffset) & 0xffff;
        if (magic == 0x20b) pe32Plus = true;
        else if (magic == 0x10b) pe32Plus = false;
        else throw bad("optional header magic 0x" + Integer.toHexString(magic) + " is neither PE32 nor PE32+");
        dataDirOffset = optOffset + (pe32Plus ? 112 : 96);
        numberOfRvaAndSizes = b.getInt(dataDirOffset - 4);
        long sizeOfHeaders = b.getInt(optOffset + 60) & 0xffffffffL;
        int tableEnd = optOffset + optSize + nsec * SECTION_HEADER;
        if (sizeOfHeaders > length || tableEnd > sizeOfHeaders) throw bad("section table runs past SizeOfHeaders");
        headers = Arrays.copyOf(header, (int) sizeOfHeaders);
        sections = new ArrayList<>();
        long end = sizeOfHeaders;
        for (int i = 0; i < nsec; i++) {
            int s = optOffset + optSize + i * SECTION_HEADER;
            String name = new String(header, s, 8, StandardCharsets.US_ASCII).replace("\0", "");
            long vs = b.getInt(s + 8) & 0xffffffffL, va = b.getInt(s + 12) & 0xffffffffL;
            long rs = b.getInt(s + 16) & 0xffffffffL, rp = b.getInt(s + 20) & 0xffffffffL;
            long ch = b.getInt(s + 36) & 0xffffffffL;
            if (rs > 0 && (rp + rs > length || rp < sizeOfHeaders)) throw bad("section " + name + " raw data lies outside the file");
            byte[] raw = !content ? null : copy(file, rp, rs);
            sections.add(new PeSection(name, vs, va, rs, rp, ch, raw));
            if (rs > 0) end = Math.max(end, rp + rs); // an empty section's PointerToRawData means nothing
        }
        trailingOffset = end;
        trailing = content ? copy(file, end, length - end) : null;
    }

    /** Parses a PE image; {@code what} (usually the file name) appears in every error. */
    public static PeFile read(byte[] file, String what) {
        return parse(file, what, true);
    }

    /**
     * The headers and the section table only, for reading a large image without copying it: every
     * section's {@link PeSection#raw()} is null, and {@link #loaded}/{@link #content} copy from
     * {@code file}, which is kept (the caller must not change it meanwhile). Not for writing.
     */
    public static PeFile layout(byte[] file, String what) {
        return parse(file, what, false);
    }

    /**
     * {@link #layout(byte[], String)} of an image in a buffer (a file mapping, {@code InputFiles.map}): only its
     * headers are copied; sections are read and hashed from {@code file} with absolute indices, so threads may share it.
     */
    public static PeFile layout(ByteBuffer file, String what) {
        return parse(file, head(file), what, false);
    }

    private static PeFile parse(byte[] file, String what, boolean content) {
        return parse(ByteBuffer.wrap(file), file, what, content);
    }

    private static PeFile parse(ByteBuffer file, byte[] header, String what, boolean content) {
        try {
            return new PeFile(what, file, header, content);
        } catch (IndexOutOfBoundsException e) {
            throw new RecipeException(what + ": truncated PE/COFF image");
        }
    }

    /** {@code n} bytes of {@code file} from {@code off} (in the file, as the constructor checked). */
    private static byte[] copy(ByteBuffer file, long off, long n) {
        byte[] out = new byte[(int) n];
        file.get((int) off, out, 0, (int) n);
        return out;
    }

    /**
     * The first bytes of {@code file} that the constructor reads: up to SizeOfHeaders and past the section table and
     * data directories when the DOS and PE headers give them, else the whole file (so a bad image fails as it would whole).
     */
    private static byte[] head(ByteBuffer file) {
        int length = file.capacity();
        long need = length;
        if (length >= 0x40) {
            ByteBuffer le = file.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            long pe = le.getInt(0x3c) & 0xffffffffL;
            if (pe + 24 + 64 <= length) {
                long table = pe + 24 + (le.getShort((int) pe + 20) & 0xffff) + (le.getShort((int) pe + 6) & 0xffffL) * SECTION_HEADER;
                need = Math.max(Math.max(pe + 24 + 240, table), le.getInt((int) pe + 24 + 60) & 0xffffffffL);
            }
        }
        return copy(file, 0, Math.min(length, need));
    }

    public List<PeSection> sections() { return List.copyOf(sections); }

    /** The section as loaded: VirtualSize bytes, its raw data cut or zero-extended (in either mode, one copy). */
    public byte[] loaded(PeSection s) {
        return copyOfSection(s, (int) s.virtualSize());
    }

    /** Feeds {@link #loaded}'s bytes to {@code md} without copying them (the raw data, then the zero extension). */
    public void digestLoaded(PeSection s, MessageDigest md) {
        int raw = (int) Math.min(s.virtualSize(), s.sizeOfRawData());
        if (s.raw() != null) md.update(s.raw(), 0, raw);
        else update(md, source, s.pointerToRawData(), raw);
        byte[] zeros = new byte[(int) Math.min(64 << 10, s.virtualSize() - raw)];
        for (long left = s.virtualSize() - raw; left > 0; left -= zeros.length) md.update(zeros, 0, (int) Math.min(left, zeros.length));
    }

    /** The first min(VirtualSize, SizeOfRawData) bytes of the section, as {@link PeSection#content()} (in either mode). */
    public byte[] content(PeSection s) {
        return copyOfSection(s, (int) Math.min(s.virtualSize(), s.sizeOfRawData()));
    }

    private byte[] copyOfSection(PeSection s, int n) {
        if (s.raw() != null) return Arrays.copyOf(s.raw(), n);
        byte[] out = new byte[n];
        source.get((int) s.pointerToRawData(), out, 0, (int) Math.min(n, s.sizeOfRawData()));
        return out;
    }

    /**
     * The section as loaded, as a view of the image where that needs no copy (VirtualSize within the raw data, layout
     * mode), else {@link #loaded}'s copy.
     */
    public ByteBuffer loadedView(PeSection s) {
        if (s.raw() != null || s.virtualSize() > s.sizeOfRawData()) return ByteBuffer.wrap(loaded(s));
        return source.slice((int) s.pointerToRawData(), (int) s.virtualSize());
    }

    /** What the image was read as (usually its file name), as errors name it. */
    public String what() { return what; }

    public PeSection section(String name) {
        return sections.stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
    }

    public boolean pe32Plus() { return pe32Plus; }

    public long sectionAlignment() { return u32(optOffset + 32); }

    public long fileAlignment() { return u32(optOffset + 36); }

    public long sizeOfImage() { return u32(optOffset + 56); }

    public long checksum() { return u32(optOffset + 64); }

    /** Certificate table (data directory 4) as {file offset, size}; {0,0} when unsigned. */
    public long[] certificateTable() {
        if (numberOfRvaAndSizes <= CERT_TABLE_INDEX) return new long[]{0, 0};
        return new long[]{u32(dataDirOffset + 8 * CERT_TABLE_INDEX), u32(dataDirOffset + 8 * CERT_TABLE_INDEX + 4)};
    }

    /** Appends a read-only initialised-data section holding {@code content}. */
    public void addSection(String name, byte[] content) {
        if (name.length() > 8) throw new IllegalArgumentException("section name longer than 8: " + name);
        if (section(name) != null) throw new RecipeException(what + ": already has a " + name + " section");
        int tableEnd = optOffset + optSize + (sections.size() + 1) * SECTION_HEADER;
        if (tableEnd > headers.length) throw new RecipeException(what + ": no room in the headers for another section header");
        long lastVa = 0, lastRaw = headers.length;
        for (PeSection s : sections) {
            lastVa = Math.max(lastVa, s.virtualAddress() + Math.max(s.virtualSize(), s.sizeOfRawData()));
            lastRaw = Math.max(lastRaw, s.pointerToRawData() + s.sizeOfRawData());
        }
        long va = align(lastVa, Math.max(4096, sectionAlignment()));
        long rp = align(lastRaw, fileAlignment());
        long rs = align(content.length, fileAlignment());
        sections.add(new PeSection(name, content.length, va, rs, rp, PeSection.CNT_INITIALIZED_DATA | PeSection.MEM_READ,
                Arrays.copyOf(content, (int) rs)));
        modified = true;
    }

    /** The image bytes; after {@link #addSection} with headers, symbol table pointer and checksum refreshed. */
    public byte[] toBytes() {
        if (!modified) return assemble();
        ByteBuffer h = ByteBuffer.wrap(headers).order(ByteOrder.LITTLE_ENDIAN);
        h.putShort(peOffset + 6, (short) sections.size());
        long initData = 0, imageEnd = 0, rawEnd = headers.length;
        for (int i = 0; i < sections.size(); i++) {
            PeSection s = sections.get(i);
            int o = optOffset + optSize + i * SECTION_HEADER;
            byte[] name = Arrays.copyOf(s.name().getBytes(StandardCharsets.US_ASCII), 8);
            h.put(o, name);
            h.putInt(o + 8, (int) s.virtualSize());
            h.putInt(o + 12, (int) s.virtualAddress());
            h.putInt(o + 16, (int) s.sizeOfRawData());
            h.putInt(o + 20, (int) s.pointerToRawData());
            h.putInt(o + 36, (int) s.characteristics());
            if ((s.characteristics() & PeSection.CNT_INITIALIZED_DATA) != 0) initData += s.sizeOfRawData();
            imageEnd = Math.max(imageEnd, s.virtualAddress() + Math.max(s.virtualSize(), s.sizeOfRawData()));
            rawEnd = Math.max(rawEnd, s.pointerToRawData() + s.sizeOfRawData());
        }
        h.putInt(optOffset + 8, (int) initData);
        h.putInt(optOffset + 56, (int) align(imageEnd, sectionAlignment()));
        // Trailing data moves behind the new sections; a COFF symbol table pointer follows it.
        long[] cert = certificateTable();
        if (cert[1] != 0) {
            trailing = Arrays.copyOf(trailing, (int) Math.max(0, cert[0] - trailingOffset));
            h.putLong(dataDirOffset + 8 * CERT_TABLE_INDEX, 0);
        }
        long symPtr = u32(peOffset + 12);
        if (symPtr != 0) h.putInt(peOffset + 12, (int) (symPtr - trailingOffset + rawEnd));
        trailingOffset = rawEnd;
        modified = false;
        byte[] out = assemble();
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putInt(optOffset + 64, (int) checksum(out, optOffset + 64));
        headers = Arrays.copyOf(out, headers.length);
        return out;
    }

    private byte[] assemble() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(headers);
        List<PeSection> byRaw = new ArrayList<>(sections);
        byRaw.sort(Comparator.comparingLong(PeSection::pointerToRawData));
        for (PeSection s : byRaw) {
            if (s.sizeOfRawData() == 0) continue;
            while (out.size() < s.pointerToRawData()) out.write(0);
            out.writeBytes(s.raw());
        }
        while (out.size() < trailingOffset) out.write(0);
        out.writeBytes(trailing);
        return out.toByteArray();
    }

    /** The PE checksum (as imagehlp's CheckSumMappedFile): 16-bit one's-complement-style sum plus file length. */
    public static long checksum(byte[] file, int checksumOffset) {
        long sum = 0;
        for (int i = 0; i < file.length; i += 2) {
            if (i == checksumOffset || i == checksumOffset + 2) continue;
            int w = (file[i] & 0xff) | (i + 1 < file.length ? (file[i + 1] & 0xff) << 8 : 0);
            sum += w;
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        sum = (sum & 0xffff) + (sum >>> 16);
        return (sum + file.length) & 0xffffffffL;
    }

    /** A copy of {@code file} whose certificate-table directory entry is (offset, size), with the checksum refreshed. */
    public static byte[] withCertificateTableEntry(byte[] file, long offset, long size, String what) {
        PeFile pe = layout(file, what);
        if (pe.numberOfRvaAndSizes <= CERT_TABLE_INDEX) throw new RecipeException(what + ": no certificate-table directory entry");
        byte[] out = file.clone();
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(pe.dataDirOffset + 8 * CERT_TABLE_INDEX, (int) offset);
        b.putInt(pe.dataDirOffset + 8 * CERT_TABLE_INDEX + 4, (int) size);
        b.putInt(pe.optOffset + 64, (int) checksum(out, pe.optOffset + 64));
        return out;
    }

    /** Offset of the checksum field in the file (for {@link #checksum(byte[], int)}). */
    public int checksumOffset() { return optOffset + 64; }

    /**
     * The Authenticode image digest (Microsoft PE/COFF spec, "Calculating the PE Image Hash") of
     * {@code file}: headers without the checksum and certificate-table entry, sections in file
     * order, then the rest of the file except the certificate table. No padding is added, as edk2
     * measures it (EV_EFI_BOOT_SERVICES_APPLICATION); an image without a certificate-table entry
     * (NumberOfRvaAndSizes &lt;= 4) hashes everything after the checksum up to SizeOfHeaders.
     */
    public static byte[] authenticodeDigest(byte[] file, String algorithm, String what) {
        return authenticodeDigest(new byte[0], file, algorithm, what);
    }

    /**
     * {@link #authenticodeDigest(byte[], String, String)} of the image that is {@code file} with its first
     * {@code head.length} bytes replaced by {@code head} (a loader's patch of the headers, such as QEMU's
     * setup-header patch), without copying {@code file}. The headers are read from the patched bytes.
     */
    public static byte[] authenticodeDigest(byte[] head, byte[] file, String algorithm, String what) {
        return authenticodeDigest(head, ByteBuffer.wrap(file), algorithm, what);
    }

    /**
     * {@link #authenticodeDigest(byte[], byte[], String, String)} of an image in a buffer (a file mapping or a
     * {@link #loadedView}), read with absolute indices only: threads may hash the same buffer at once.
     */
    public static byte[] authenticodeDigest(byte[] head, ByteBuffer file, String algorithm, String what) {
        if (head.length > file.capacity()) throw new IllegalArgumentException("head of " + head.length + " bytes, longer than the image");
        PeFile pe = parse(file, overlayHeaders(head, file), what, false);
        MessageDigest md = BulkDigest.of(algorithm);
        Overlay image = new Overlay(head, file, md);
        int ck = pe.optOffset + 64;
        int certEntry = pe.dataDirOffset + 8 * CERT_TABLE_INDEX;
        int hdrEnd = pe.headers.length;
        image.update(0, ck);
        if (pe.numberOfRvaAndSizes <= CERT_TABLE_INDEX) {
            image.update(ck + 4, hdrEnd - (ck + 4));
        } else {
            if (certEntry + 8 > hdrEnd) throw pe.bad("the certificate-table entry lies outside SizeOfHeaders");
            image.update(ck + 4, certEntry - (ck + 4));
            image.update(certEntry + 8, hdrEnd - (certEntry + 8));
        }
        long hashed = hdrEnd;
        List<PeSection> byRaw = new ArrayList<>(pe.sections);
        byRaw.sort(Comparator.comparingLong(PeSection::pointerToRawData));
        for (PeSection s : byRaw) {
            if (s.sizeOfRawData() == 0) continue;
            image.update((int) s.pointerToRawData(), (int) s.sizeOfRawData());
            hashed += s.sizeOfRawData();
        }
        long[] cert = pe.certificateTable();
        long end = file.capacity() - cert[1];
        if (file.capacity() > hashed && end < hashed) throw pe.bad("the certificate table is larger than the data after the sections");
        if (end > hashed) image.update((int) hashed, (int) (end - hashed));
        return md.digest();
    }

    /** {@code head} extended with {@code file}'s bytes up to SizeOfHeaders as {@code head} gives it, so the headers parse from the patched bytes. */
    private static byte[] overlayHeaders(byte[] head, ByteBuffer file) {
        if (head.length == 0) return head(file);
        ByteBuffer h = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
        long need = file.capacity();   // when the head is too short to tell, the whole image (the rare, slow case)
        if (head.length >= 0x40) {
            long pe = h.getInt(0x3c) & 0xffffffffL;
            if (pe + 24 + 64 <= head.length) need = Math.min(file.capacity(), Math.max(head.length, h.getInt((int) pe + 24 + 60) & 0xffffffffL));
        }
        if (need <= head.length) return head;
        byte[] out = Arrays.copyOf(head, (int) need);
        file.get(head.length, out, head.length, (int) need - head.length);
        return out;
    }

    /** Feeds ranges of the overlay image (head, then file's bytes after it) to a digest. */
    private record Overlay(byte[] head, ByteBuffer file, MessageDigest md) {
        void update(int off, int len) {
            int fromHead = Math.max(0, Math.min(len, head.length - off));
            if (fromHead > 0) md.update(head, off, fromHead);
            if (len > fromHead) PeFile.update(md, file, off + fromHead, len - fromHead);
        }
    }

    /** Feeds {@code len} bytes of {@code b} from index {@code off} to {@code md}, without moving {@code b}'s position. */
    private static void update(MessageDigest md, ByteBuffer b, long off, long len) {
        md.update(b.slice((int) off, (int) len));   // an array's bytes directly; a mapping's through the digest's small buffer
    }

    private long u32(int off) {
        return ByteBuffer.wrap(headers).order(ByteOrder.LITTLE_ENDIAN).getInt(off) & 0xffffffffL;
    }

    private static long align(long v, long a) {
        return (v + a - 1) / a * a;
    }

    private RecipeException bad(String why) {
        return new RecipeException(what + ": not a PE/COFF image: " + why);
    }
}
