package dev.sealwright.measure.snp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The initial VM save area of one vCPU (struct sev_es_save_area, AMD APM Vol 2 Table B-4), as the
 * hypervisor hands it to LAUNCH_UPDATE_VMSA: only the registers set at reset are modelled, every other
 * byte of the 4 KiB page is zero.
 */
public record Vmsa(Segment es, Segment cs, Segment ss, Segment ds, Segment fs, Segment gs,
                   Segment gdtr, Segment ldtr, Segment idtr, Segment tr,
                   long efer, long cr4, long cr0, long dr7, long dr6, long rflags, long rip,
                   long rsp, long rbp, long rsi, long rdx, long gPat, long sevFeatures, long xcr0, int mxcsr, int x87Fcw) {

    /** VMCB segment: {@code u16 selector, u16 attrib, u32 limit, u64 base}. */
    public record Segment(int selector, int attrib, long limit, long base) {
        void write(ByteBuffer b, int off) {
            b.putShort(off, (short) selector).putShort(off + 2, (short) attrib).putInt(off + 4, (int) limit).putLong(off + 8, base);
        }

        static Segment read(ByteBuffer b, int off) {
            return new Segment(b.getShort(off) & 0xFFFF, b.getShort(off + 2) & 0xFFFF, b.getInt(off + 4) & 0xFFFFFFFFL, b.getLong(off + 8));
        }
    }

    static final int ES = 0x00, CS = 0x10, SS = 0x20, DS = 0x30, FS = 0x40, GS = 0x50, GDTR = 0x60, LDTR = 0x70, IDTR = 0x80, TR = 0x90;
    static final int EFER = 0xD0, CR4 = 0x148, CR0 = 0x158, DR7 = 0x160, DR6 = 0x168, RFLAGS = 0x170, RIP = 0x178, RSP = 0x1D8;
    static final int G_PAT = 0x268, RDX = 0x310, RBP = 0x328, RSI = 0x330, SEV_FEATURES = 0x3B0, XCR0 = 0x3E8, MXCSR = 0x408, X87_FCW = 0x410;

    public byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(LaunchDigest.PAGE).order(ByteOrder.LITTLE_ENDIAN);
        es.write(b, ES);
        cs.write(b, CS);
        ss.write(b, SS);
        ds.write(b, DS);
        fs.write(b, FS);
        gs.write(b, GS);
        gdtr.write(b, GDTR);
        ldtr.write(b, LDTR);
        idtr.write(b, IDTR);
        tr.write(b, TR);
        b.putLong(EFER, efer).putLong(CR4, cr4).putLong(CR0, cr0).putLong(DR7, dr7).putLong(DR6, dr6)
                .putLong(RFLAGS, rflags).putLong(RIP, rip).putLong(RSP, rsp).putLong(RBP, rbp).putLong(RSI, rsi)
                .putLong(RDX, rdx).putLong(G_PAT, gPat).putLong(SEV_FEATURES, sevFeatures).putLong(XCR0, xcr0)
                .putInt(MXCSR, mxcsr).putShort(X87_FCW, (short) x87Fcw);
        return b.array();
    }

    /** Reads the modelled fields of a 4 KiB VMSA page (e.g. one written by {@code --dump-vmsa}). */
    public static Vmsa read(byte[] page) {
        if (page.length != LaunchDigest.PAGE) throw new IllegalArgumentException("a VMSA page is 4096 bytes, got " + page.length);
        ByteBuffer b = ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN);
        return new Vmsa(Segment.read(b, ES), Segment.read(b, CS), Segment.read(b, SS), Segment.read(b, DS), Segment.read(b, FS),
                Segment.read(b, GS), Segment.read(b, GDTR), Segment.read(b, LDTR), Segment.read(b, IDTR), Segment.read(b, TR),
                b.getLong(EFER), b.getLong(CR4), b.getLong(CR0), b.getLong(DR7), b.getLong(DR6), b.getLong(RFLAGS), b.getLong(RIP),
                b.getLong(RSP), b.getLong(RBP), b.getLong(RSI), b.getLong(RDX), b.getLong(G_PAT), b.getLong(SEV_FEATURES),
                b.getLong(XCR0), b.getInt(MXCSR), b.getShort(X87_FCW) & 0xFFFF);
    }
}
